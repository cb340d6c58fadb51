# One role and instance profile per tier. Every action is named (no wildcards) and,
# where the service allows it, scoped to this deployment's resources.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  tiers          = toset(["web", "worker"])
  arn_prefix     = "arn:${data.aws_partition.current.partition}"
  account_region = "${var.region}:${data.aws_caller_identity.current.account_id}"
  # The * is the group's id, unknown until it exists; its name is known now.
  autoscaling_group_arns = {
    for tier in local.tiers : tier => "${local.arn_prefix}:autoscaling:${local.account_region}:autoScalingGroup:*:autoScalingGroupName/${var.autoscaling_group_names[tier]}"
  }
  policies = {
    web    = data.aws_iam_policy_document.web.json
    worker = data.aws_iam_policy_document.worker.json
  }
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# What every instance needs to boot and run its container. Resource "*" appears only
# for ecr:GetAuthorizationToken and Session Manager's channels, which IAM cannot scope.
data "aws_iam_policy_document" "instance" {
  #checkov:skip=CKV_AWS_111:"*" only for actions that have no resource type
  #checkov:skip=CKV_AWS_290:"*" only for actions that have no resource type
  #checkov:skip=CKV_AWS_355:"*" only for actions that have no resource type
  for_each = local.tiers

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # not resource-scoped by ECR
  }

  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [var.repository_arns[each.key]]
  }

  statement {
    sid       = "ContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.log_group_arns[each.key]}:*"]
  }

  statement {
    sid       = "ReadConfigurationSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.secret_arns[each.key]
  }

  statement {
    sid       = "ReportUnhealthy"
    actions   = ["autoscaling:SetInstanceHealth"]
    resources = [local.autoscaling_group_arns[each.key]]
  }

  # Presigned URLs act with the signer's rights: the web tier's PutObject covers the direct
  # upload's PUT, CreateMultipartUpload, UploadPart and CompleteMultipartUpload, GetObject its
  # HEAD and the presigned downloads; the worker's sweeper deletes and aborts orphans.
  statement {
    sid       = "UserFiles"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/users/*"]
  }

  statement {
    sid       = "BucketReachable"
    actions   = ["s3:ListBucket"] # HeadBucket (readiness check), the orphan sweeper's listing; NoSuchKey rather than AccessDenied for a missing key
    resources = [var.bucket_arn]
  }

  # Session Manager shell instead of SSH: no open port, no key pair.
  statement {
    sid       = "SessionManagerRegistration"
    actions   = ["ssm:UpdateInstanceInformation"]
    resources = ["${local.arn_prefix}:ec2:${local.account_region}:instance/*"]
  }

  statement {
    sid = "SessionManagerChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"] # not resource-scoped by Session Manager
  }
}

data "aws_iam_policy_document" "web" {
  source_policy_documents = [data.aws_iam_policy_document.instance["web"].json]

  statement {
    sid       = "EnqueueConversions"
    actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
    resources = [var.queue_arn]
  }
}

data "aws_iam_policy_document" "worker" {
  source_policy_documents = [data.aws_iam_policy_document.instance["worker"].json]

  statement {
    sid       = "ConsumeConversions"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [var.queue_arn, var.dead_letter_queue_arn]
  }

  # The sweeper sends tasks whose first send from the web tier failed.
  statement {
    sid       = "RequeueUnsent"
    actions   = ["sqs:SendMessage"]
    resources = [var.queue_arn]
  }

  # Only from SES_FROM. The recipients' identities are listed too: in the SES sandbox,
  # sending is also authorised against them.
  statement {
    sid       = "NotifyOwners"
    actions   = ["ses:SendEmail"]
    resources = var.email_identity_arns

    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.ses_from]
    }
  }

  statement {
    sid       = "FinishDraining"
    actions   = ["autoscaling:CompleteLifecycleAction"]
    resources = [local.autoscaling_group_arns.worker]
  }
}

resource "aws_iam_role" "this" {
  for_each = local.tiers

  name               = "${var.name}-${each.key}"
  description        = "Instances of the ${each.key} tier"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

resource "aws_iam_role_policy" "this" {
  for_each = local.tiers

  name   = "${var.name}-${each.key}"
  role   = aws_iam_role.this[each.key].id
  policy = local.policies[each.key]
}

resource "aws_iam_instance_profile" "this" {
  for_each = local.tiers

  name = "${var.name}-${each.key}"
  role = aws_iam_role.this[each.key].name
}
