provider "aws" {
  region = var.aws_region

  # One tag map for everything the provider creates. Instances and volumes launched by
  # Auto Scaling do not get default_tags, so the tier modules also receive local.tags.
  default_tags {
    tags = local.tags
  }
}
