"""What a member's data looks like to someone who may not see all of it."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """138****1234 for mainland numbers; the middle hidden for anything else."""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "****"
