"""Deliveries of notifications, so the weekly email can cover every scan since the last one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from auditor.store.base import Base


class NotificationDelivery(Base):
    """One message that reached its channel (Slack webhook or SMTP server)."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    # The scans the message summarised (not foreign keys: retention may delete scans).
    scan_ids: Mapped[list[str]]
