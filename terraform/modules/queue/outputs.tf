output "queue_url" {
  description = "URL of the conversion queue."
  value       = aws_sqs_queue.this.url
}

output "queue_arn" {
  description = "ARN of the conversion queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_name" {
  description = "Name of the conversion queue."
  value       = aws_sqs_queue.this.name
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.name
}
