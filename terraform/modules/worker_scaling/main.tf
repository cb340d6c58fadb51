# Scaling of the worker group (made by the root module): workers take no inbound
# traffic, they long-poll SQS. The group follows the queue's backlog per instance, and a
# terminating instance first finishes its work.

# Scale-in and instance refresh put a worker in Terminating:Wait. Its boot script
# sees that in the instance metadata, stops the container (SIGTERM: stop polling,
# finish in-flight conversions within the deadline) and completes this hook; if it
# never does, Auto Scaling goes on after the timeout.
resource "aws_autoscaling_lifecycle_hook" "this" {
  name                   = var.drain_hook_name
  autoscaling_group_name = var.autoscaling_group_name
  lifecycle_transition   = "autoscaling:EC2_INSTANCE_TERMINATING"
  heartbeat_timeout      = var.drain_timeout_seconds
  default_result         = "CONTINUE"
}

# Target tracking on backlog per instance = visible messages / in-service instances
# (metric math). Messages being converted are not "visible", so an idle queue lets the
# group shrink while conversions finish; the lifecycle hook protects those.
resource "aws_autoscaling_policy" "this" {
  name                   = "${var.autoscaling_group_name}-backlog-per-instance"
  autoscaling_group_name = var.autoscaling_group_name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = var.backlog_per_instance

    customized_metric_specification {
      metrics {
        id          = "visible"
        label       = "Messages waiting in the queue"
        return_data = false

        metric_stat {
          stat = "Sum"

          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"

            dimensions {
              name  = "QueueName"
              value = var.queue_name
            }
          }
        }
      }

      metrics {
        id          = "instances"
        label       = "In-service worker instances"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "AWS/AutoScaling"
            metric_name = "GroupInServiceInstances"

            dimensions {
              name  = "AutoScalingGroupName"
              value = var.autoscaling_group_name
            }
          }
        }
      }

      metrics {
        id          = "backlog"
        label       = "Backlog per instance"
        expression  = "visible / instances"
        return_data = true
      }
    }
  }
}
