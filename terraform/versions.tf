terraform {
  # 1.11: write-only arguments, so the generated JWT secret never reaches the state file.
  required_version = ">= 1.11, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7" # 3.7: ephemeral random_password
    }
  }

  # State is local by default. For a team, add a backend (e.g. `backend "s3" {}` with
  # `use_lockfile = true`) and pass its settings with `terraform init -backend-config=...`.
}
