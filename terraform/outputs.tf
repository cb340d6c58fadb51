output "url" {
  description = "Public URL of the service."
  value       = local.public_base_url
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer: point your domain's CNAME or alias record here."
  value       = module.web.load_balancer_dns_name
}

output "bucket_name" {
  description = "S3 bucket of uploaded and converted files (S3_BUCKET)."
  value       = module.storage.bucket_name
}

output "queue_url" {
  description = "URL of the conversion queue (SQS_QUEUE_URL)."
  value       = module.queue.queue_url
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue (SQS_DLQ_URL)."
  value       = module.queue.dead_letter_queue_url
}

output "database_endpoint" {
  description = "Host and port of the PostgreSQL database (reachable only from the web and worker instances)."
  value       = "${module.database.address}:${module.database.port}"
}

output "database_secret_arn" {
  description = "Secrets Manager secret (managed and rotated by RDS) holding the database user name and password."
  value       = module.database.master_user_secret_arn
}

output "jwt_secret_arn" {
  description = "Secrets Manager secret holding JWT_SECRET."
  value       = module.secrets.jwt_secret_arn
}

output "ses_dkim_records" {
  description = "CNAME records that verify the email domain and enable DKIM; add them to its DNS unless route53_zone_id is set."
  value       = module.email.dkim_records
}

output "ecr_repository_urls" {
  description = "ECR repositories to push the web and worker images to, by tier."
  value       = module.registry.repository_urls
}

output "log_group_names" {
  description = "CloudWatch log groups of the containers, by tier."
  value       = module.logs.log_group_names
}

output "alarm_topic_arn" {
  description = "SNS topic that receives alarms (dead-letter queue not empty)."
  value       = module.queue.alarm_topic_arn
}
