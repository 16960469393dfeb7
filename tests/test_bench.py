"""The soak test's outage stops PostgreSQL only when the soak's server is the local cluster."""

import pytest

from bench.soak import Cluster, ServerFacts, refusal_to_stop

LOCAL = Cluster("15", "main", 5432, "/var/lib/postgresql/15/main")
TARGET = ("15", "main")


def make_server(
    host="127.0.0.1", port=5432, reported_port=5432, data_directory=LOCAL.data_directory
):
    return ServerFacts(host, port, reported_port, data_directory)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_the_local_cluster_on_loopback_may_be_stopped(host):
    assert refusal_to_stop(make_server(host=host), [LOCAL], TARGET) == ""


def test_a_trailing_slash_does_not_make_another_data_directory():
    server = make_server(data_directory=LOCAL.data_directory + "/")
    assert refusal_to_stop(server, [LOCAL], TARGET) == ""


@pytest.mark.parametrize(
    ("server", "clusters", "reason"),
    [
        (make_server(host="db.example.org"), [LOCAL], "db.example.org, not on loopback"),
        (make_server(host="10.0.0.5"), [LOCAL], "not on loopback"),
        (make_server(host="/var/run/postgresql"), [LOCAL], "not on loopback"),
        # A tunnel on loopback to a server elsewhere, laid out like ours.
        (make_server(port=6543), [LOCAL], "port 6543 reached a server that listens on port 5432"),
        (make_server(), [], "no cluster 15/main"),
        (make_server(), [Cluster("15", "other", 5432, LOCAL.data_directory)], "no cluster"),
        (
            make_server(port=5433, reported_port=5433),
            [LOCAL],
            "at port 5433, cluster 15/main at 5432",
        ),
        (
            make_server(data_directory="/srv/postgresql/15/main"),
            [LOCAL],
            "serves /srv/postgresql/15/main",
        ),
    ],
)
def test_any_other_server_is_refused(server, clusters, reason):
    assert reason in refusal_to_stop(server, clusters, TARGET)


def test_the_cluster_that_matches_is_the_one_pg_ctlcluster_controls():
    second = Cluster("16", "main", 5433, "/var/lib/postgresql/16/main")
    server = make_server(port=5433, reported_port=5433, data_directory=second.data_directory)
    assert refusal_to_stop(server, [LOCAL, second], TARGET) != ""
    assert refusal_to_stop(server, [LOCAL, second], ("16", "main")) == ""
