"""The link test the window makes at each survey point (Qt-free): its timings, the run against
an echo server on 127.0.0.1 standing in for the gateway, where its result goes in the project
and the words the window shows."""

from __future__ import annotations

import pytest
from fakes.lossy_servers import Impairment, udp_echo_server
from test_linktest import _loopback_only  # noqa: F401 - autouse: the gateway is 127.0.0.1, no name resolves

from survey.netcheck.linktest import LinkTestError
from survey.netcheck.point_linktest import (
    GATEWAY_LOOKUP_S,
    JOIN_SLACK_S,
    POINT_COUNT,
    PointLinkTest,
    measured,
    result_text,
    run_point_link_test,
    with_sample_link,
)
from survey.project.link import GATEWAY_TARGET, LinkTest, LinkTestResult, ProbeKind
from survey.project.model import Project, Sample, Survey


def echo_spec(port: int, **kw) -> PointLinkTest:
    return PointLinkTest(
        gateway="127.0.0.1", probe=ProbeKind.UDP_ECHO, port=port, interval_s=0.01, reply_timeout_s=0.2, **kw
    )


def test_a_point_takes_about_four_seconds_and_never_more_than_its_deadline():
    spec = PointLinkTest()
    assert spec.count == POINT_COUNT == 30
    assert spec.expected_s == pytest.approx(4.0)  # 30 probes 100 ms apart and a 1 s reply window
    assert spec.deadline_s == pytest.approx(8.0)  # plus the trial probes that choose ICMP or a TCP port
    assert spec.longest_s == pytest.approx(8.0 + JOIN_SLACK_S + GATEWAY_LOOKUP_S)
    assert PointLinkTest(gateway="192.168.1.1").longest_s == pytest.approx(8.0 + JOIN_SLACK_S)


def test_the_gateway_is_measured_and_worded():
    with udp_echo_server(Impairment(drop_share=0.1, delays_s=(0.002,))) as port:
        link = run_point_link_test(echo_spec(port, count=20))
    gateway = link.gateway
    assert (gateway.target, gateway.address, gateway.sent, gateway.received) == (GATEWAY_TARGET, "127.0.0.1", 20, 18)
    assert measured(link)
    assert result_text(3, link) == (
        f"Link test at sample 3: POOR, 10 % loss, p95 {_ms(gateway.rtt_p95_ms)} "
        f"(gateway 127.0.0.1, UDP echo {port}). 10 % of probes lost (more than 5 %)."
    )


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def test_the_default_gateway_is_looked_up_in_the_worker_and_its_absence_is_plain():
    def no_route():
        raise LinkTestError("This laptop has no default gateway: it is not on a network with a router.")

    with pytest.raises(LinkTestError, match="no default gateway"):
        run_point_link_test(PointLinkTest(find_gateway=no_route))
    with udp_echo_server() as port:
        link = run_point_link_test(
            PointLinkTest(
                probe=ProbeKind.UDP_ECHO,
                port=port,
                count=5,
                interval_s=0.01,
                reply_timeout_s=0.2,
                find_gateway=lambda: "127.0.0.1",
            )
        )
    assert link.gateway.received == 5


def test_a_test_that_sent_nothing_is_not_kept_and_says_why():
    nothing = LinkTest(
        results=(
            LinkTestResult(
                GATEWAY_TARGET,
                "",
                ProbeKind.ICMP_ECHO,
                None,
                0,
                0,
                None,
                None,
                None,
                0.0,
                0.1,
                ("did not finish within the 8 s deadline",),
            ),
        )
    )
    assert not measured(nothing) and not measured(LinkTest())
    assert result_text(2, nothing) == (
        "Link test at sample 2: not measured (did not finish within the 8 s deadline). "
        "The sample is kept without a link result."
    )


def test_the_result_is_attached_to_its_sample_only():
    samples = (Sample(1.0, 1.0, 10.0, (), id=1), Sample(2.0, 2.0, 20.0, (), id=2))
    after = Survey("After", 0.0, (Sample(3.0, 3.0, 30.0, (), id=3),), id=2)
    project = Project(surveys=(Survey("Before", 0.0, samples, id=1), after))
    link = LinkTest()
    attached = with_sample_link(project, 2, link)
    assert [s.link for s in attached.surveys[0].samples] == [None, link]
    assert attached.surveys[1] is project.surveys[1]
    assert with_sample_link(attached, 2, None).surveys[0].samples[1].link is None
