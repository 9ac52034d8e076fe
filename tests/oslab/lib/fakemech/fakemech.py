"""ML2 mechanism driver for the test lab: binds every port on any host, with no agent.

Nova's fake virt driver plugs no VIFs and the lab runs no L2 agent, so without a driver that
binds ports every boot with a network would fail with "binding failed". This one answers each
binding request with an OVS binding on the first segment and marks the port ACTIVE.
"""

from typing import Any

from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class FakeBindAllMechanismDriver(api.MechanismDriver):
    def initialize(self) -> None:
        pass

    @property
    def connectivity(self) -> str:
        return str(portbindings.CONNECTIVITY_L2)

    def bind_port(self, context: Any) -> None:
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True},
                status=constants.PORT_STATUS_ACTIVE,
            )
            return
