"""EC2/VPC collectors. Every Describe call asks for the largest page the API allows."""
