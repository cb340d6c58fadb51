# Cloud Conversion Tool on AWS: an ALB in front of a web Auto Scaling group, a worker
# Auto Scaling group fed by SQS, RDS PostgreSQL, S3, SES. Both tiers run the same
# images as docker-compose.yml; templates/user_data.sh.tftpl starts them.

locals {
  name  = "${var.name}-${var.environment}"
  tiers = ["web", "worker"]
  tags = merge(
    { Project = "cloud-conversion-tool", Environment = var.environment, ManagedBy = "terraform" },
    var.tags,
  )

  # Known before the groups exist, so the boot script and IAM policies can name them
  # without a dependency cycle (group -> launch template -> user data -> group).
  autoscaling_group_names = { for tier in local.tiers : tier => "${local.name}-${tier}" }
  worker_drain_hook       = "drain-before-terminate"

  ami_id          = coalesce(var.ami_id, data.aws_ami.al2023.id)
  web_port        = 3000
  worker_port     = 9100
  public_base_url = coalesce(var.public_base_url, module.web.url)

  # Non-secret configuration of both processes (src/config.ts). DATABASE_URL and
  # JWT_SECRET are read from Secrets Manager on the instance; AWS_ENDPOINT_URL stays unset.
  app_environment = {
    AWS_REGION           = var.aws_region
    S3_BUCKET            = module.storage.bucket_name
    SQS_QUEUE_URL        = module.queue.queue_url
    SQS_DLQ_URL          = module.queue.dead_letter_queue_url
    SES_FROM             = coalesce(var.ses_from, "noreply@${var.email_domain}")
    JWT_EXPIRES_IN       = var.jwt_expires_in
    HOST                 = "0.0.0.0"
    PORT                 = local.web_port
    MAX_UPLOAD_BYTES     = var.max_upload_bytes
    WORKER_CONCURRENCY   = var.worker_concurrency
    WORKER_DRAIN_SECONDS = var.max_conversion_seconds
    WORKER_PORT          = local.worker_port
    PUBLIC_BASE_URL      = local.public_base_url
    LOG_LEVEL            = var.log_level
  }

  user_data = {
    for tier in local.tiers : tier => templatefile("${path.module}/templates/user_data.sh.tftpl", {
      tier                = tier
      region              = var.aws_region
      image               = "${module.registry.repository_urls[tier]}:${var.image_tag}"
      log_group           = module.logs.log_group_names[tier]
      environment         = merge(local.app_environment, local.rate_limit_environment)
      jwt_secret_arn      = module.secrets.jwt_secret_arn
      database_secret_arn = module.database.master_user_secret_arn
      database_address    = module.database.address
      database_port       = module.database.port
      database_name       = module.database.database_name
      autoscaling_group   = local.autoscaling_group_names[tier]
      drain_hook          = local.worker_drain_hook
      # Kill a container that outlives its own drain deadline; web requests are short.
      stop_timeout_seconds = tier == "worker" ? var.max_conversion_seconds + 30 : 30
    })
  }
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-kernel-*-x86_64"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

module "network" {
  source = "./modules/network"

  name               = local.name
  cidr_block         = var.vpc_cidr
  single_nat_gateway = var.single_nat_gateway
}

module "registry" {
  source = "./modules/registry"

  name         = local.name
  repositories = local.tiers
  force_delete = !var.deletion_protection
}

module "logs" {
  source = "./modules/logs"

  name              = local.name
  log_groups        = local.tiers
  retention_in_days = var.log_retention_days
}

module "storage" {
  source = "./modules/storage"

  name                 = local.name
  file_retention_days  = var.file_retention_days
  cors_allowed_origins = [local.public_base_url]
  force_destroy        = !var.deletion_protection
}

module "queue" {
  source = "./modules/queue"

  name = local.name
  # Above the longest conversion; the worker also extends visibility while it works.
  visibility_timeout_seconds = var.max_conversion_seconds + 120
  max_receive_count          = 5
  alarm_email                = var.alarm_email
}

module "email" {
  source = "./modules/email"

  domain          = var.email_domain
  route53_zone_id = var.route53_zone_id
}

module "secrets" {
  source = "./modules/secrets"

  name = local.name
}

module "database" {
  source = "./modules/database"

  name       = local.name
  vpc_id     = module.network.vpc_id
  subnet_ids = module.network.private_subnet_ids
  allowed_security_group_ids = {
    web    = module.web.instance_security_group_id
    worker = module.worker.security_group_id
  }
  instance_class           = var.db_instance_class
  engine_version           = var.db_engine_version
  allocated_storage_gb     = var.db_allocated_storage_gb
  max_allocated_storage_gb = var.db_max_allocated_storage_gb
  multi_az                 = var.db_multi_az
  backup_retention_days    = var.db_backup_retention_days
  log_retention_days       = var.log_retention_days
  deletion_protection      = var.deletion_protection
}

module "iam" {
  source = "./modules/iam"

  name                    = local.name
  region                  = var.aws_region
  bucket_arn              = module.storage.bucket_arn
  queue_arn               = module.queue.queue_arn
  dead_letter_queue_arn   = module.queue.dead_letter_queue_arn
  email_identity_arn      = module.email.identity_arn
  secret_arns             = [module.secrets.jwt_secret_arn, module.database.master_user_secret_arn]
  repository_arns         = module.registry.repository_arns
  log_group_arns          = module.logs.log_group_arns
  autoscaling_group_names = local.autoscaling_group_names
}

module "web" {
  source = "./modules/web"

  name                       = local.autoscaling_group_names.web
  vpc_id                     = module.network.vpc_id
  public_subnet_ids          = module.network.public_subnet_ids
  private_subnet_ids         = module.network.private_subnet_ids
  allowed_ingress_cidrs      = var.allowed_ingress_cidrs
  certificate_arn            = var.certificate_arn
  app_port                   = local.web_port
  ami_id                     = local.ami_id
  instance_type              = var.web_instance_type
  instance_profile_name      = module.iam.instance_profile_names.web
  user_data                  = local.user_data.web
  min_size                   = var.web_min_size
  max_size                   = var.web_max_size
  requests_per_instance      = var.web_requests_per_instance
  database_security_group_id = module.database.security_group_id
  database_port              = module.database.port
  deletion_protection        = var.deletion_protection
  tags                       = local.tags
}

module "worker" {
  source = "./modules/worker"

  name                       = local.autoscaling_group_names.worker
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  ami_id                     = local.ami_id
  instance_type              = var.worker_instance_type
  instance_profile_name      = module.iam.instance_profile_names.worker
  user_data                  = local.user_data.worker
  min_size                   = var.worker_min_size
  max_size                   = var.worker_max_size
  queue_name                 = module.queue.queue_name
  backlog_per_instance       = var.worker_backlog_per_instance
  drain_hook_name            = local.worker_drain_hook
  drain_timeout_seconds      = var.max_conversion_seconds + 120
  database_security_group_id = module.database.security_group_id
  database_port              = module.database.port
  tags                       = local.tags
}
