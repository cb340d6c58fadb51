output "repository_urls" {
  description = "Repository URLs by entry of var.repositories."
  value       = { for key, repository in aws_ecr_repository.this : key => repository.repository_url }
}

output "repository_arns" {
  description = "Repository ARNs by entry of var.repositories."
  value       = { for key, repository in aws_ecr_repository.this : key => repository.arn }
}
