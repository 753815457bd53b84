"""Amazon EFS: the file systems, mount targets and access points that task definitions mount."""
