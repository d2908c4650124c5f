"""Checks that the Terraform in infra/ matches the code it deploys."""
