# One repository per image. Tags are immutable, so a tag names one build for good and
# rolling back means applying the previous image_tag.

resource "aws_ecr_repository" "this" {
  for_each = toset(var.repositories)

  name                 = "${var.name}-${each.key}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

# Only untagged images expire (layers left by a build that was re-tagged or failed).
# A tagged image may be running, or be the one to roll back to: it stays until a
# person deletes it (README.md, "Deploy a new image").
resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Expire untagged images after ${var.untagged_image_days} days"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = var.untagged_image_days
      }
      action = { type = "expire" }
    }]
  })
}
