"""EFS file systems, mount targets and access points for the demo's EFS-backed services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NFS = 2049


@dataclass
class FileSystems:
    efs: Any
    ec2: Any

    def file_system(self, name: str, *, one_zone: str | None = None) -> str:
        arguments: dict[str, Any] = {
            "CreationToken": name,
            "Encrypted": True,
            "Tags": [{"Key": "Name", "Value": name}],
        }
        if one_zone:
            arguments["AvailabilityZoneName"] = one_zone
        file_system_id: str = self.efs.create_file_system(**arguments)["FileSystemId"]
        return file_system_id

    def mount_target(self, file_system_id: str, subnet_id: str, group_id: str) -> str:
        target_id: str = self.efs.create_mount_target(
            FileSystemId=file_system_id, SubnetId=subnet_id, SecurityGroups=[group_id]
        )["MountTargetId"]
        return target_id

    def access_point(self, file_system_id: str, name: str, path: str) -> str:
        access_point_id: str = self.efs.create_access_point(
            FileSystemId=file_system_id,
            Tags=[{"Key": "Name", "Value": name}],
            PosixUser={"Uid": 1000, "Gid": 1000},
            RootDirectory={
                "Path": path,
                "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "750"},
            },
        )["AccessPointId"]
        return access_point_id

    def allow_nfs(self, group_id: str, from_group_id: str) -> None:
        """Mount target group rule: NFS (TCP 2049) in from the tasks' group."""
        self.ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": NFS,
                    "ToPort": NFS,
                    "UserIdGroupPairs": [{"GroupId": from_group_id}],
                }
            ],
        )
