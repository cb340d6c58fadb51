# The front door: an internet-facing ALB in the public subnets forwarding to the web
# instances (whose group the root module makes), which accept traffic from the ALB only.
# HTTPS with HTTP redirected to it, unless allow_plain_http serves plain HTTP on purpose.

locals {
  https = var.certificate_arn != null
  # Listener ports the load balancer opens, crossed with the allowed source blocks.
  ingress = {
    for pair in setproduct(local.https ? [80, 443] : [80], var.allowed_ingress_cidrs) :
    "${pair[0]}-${pair[1]}" => { port = pair[0], cidr = pair[1] }
  }
}

resource "aws_security_group" "this" {
  name        = "${var.name}-alb"
  description = "Load balancer of ${var.name}"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-alb" }
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer" {
  for_each = local.ingress

  security_group_id = aws_security_group.this.id
  description       = "HTTP(S) from clients"
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "this" {
  security_group_id            = aws_security_group.this.id
  description                  = "To the web instances"
  referenced_security_group_id = var.instance_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
}

# The only way into a web instance.
resource "aws_vpc_security_group_ingress_rule" "instances" {
  security_group_id            = var.instance_security_group_id
  description                  = "App port from the load balancer"
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
}

resource "aws_lb" "this" {
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.this.id]
  subnets                    = var.public_subnet_ids
  idle_timeout               = 120
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
}

resource "aws_lb_target_group" "this" {
  name                 = var.name
  vpc_id               = var.vpc_id
  target_type          = "instance"
  protocol             = "HTTP" # TLS ends at the load balancer; the hop inside the VPC is private
  port                 = var.app_port
  deregistration_delay = var.deregistration_delay_seconds

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https ? "redirect" : "forward"
    target_group_arn = local.https ? null : aws_lb_target_group.this.arn

    dynamic "redirect" {
      for_each = local.https ? [1] : []

      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

# Target tracking on requests per instance: Auto Scaling adds instances when the
# average goes above the target and removes them (slowly) when it stays below.
resource "aws_autoscaling_policy" "this" {
  name                   = "${var.name}-requests-per-instance"
  autoscaling_group_name = var.autoscaling_group_name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = var.requests_per_instance

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.this.arn_suffix}"
    }
  }
}
