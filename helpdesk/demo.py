"""Demo accounts (documented in README); each app's demo content is added by ``seed_demo``."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.models import Role


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: Role
    display_name: str
    staff_number: str = ""
    phone: str = ""  # seeded as verified: the demo customer's claims get their call-backs


DEMO_ACCOUNTS = [
    DemoAccount(
        "customer@demo.claimdesk.cn", "demo-customer-2026", Role.CUSTOMER, "演示用户", phone="+8613800138000"
    ),
    DemoAccount("agent@demo.claimdesk.cn", "demo-agent-2026", Role.AGENT, "王客服", "A1001"),
    DemoAccount("agent2@demo.claimdesk.cn", "demo-agent2-2026", Role.AGENT, "李客服", "A1002"),
    DemoAccount("supervisor@demo.claimdesk.cn", "demo-supervisor-2026", Role.SUPERVISOR, "赵主管", "S2001"),
    DemoAccount(
        "diradmin@demo.claimdesk.cn", "demo-diradmin-2026", Role.DIRECTORY_ADMIN, "目录管理员甲", "D3001"
    ),
    DemoAccount(
        "diradmin2@demo.claimdesk.cn", "demo-diradmin2-2026", Role.DIRECTORY_ADMIN, "目录管理员乙", "D3002"
    ),
]
