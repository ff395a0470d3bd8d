"""The live broker's bookkeeping, without threads: versions carried by messages, the phones'
streams deaf to counts, one database check per process at a time."""

from __future__ import annotations

import os
import random
import time
from urllib.parse import urlsplit as make_url

import pytest

from quizapp.live.broker import COUNT, PHASE, LocalBroker, RedisBroker, decode, encode


def test_a_message_carries_the_version_and_an_older_message_reads_as_unknown():
    assert decode(encode(PHASE, 12)) == (PHASE, 12)
    assert decode("count") == (COUNT, -1)


def test_a_phone_stream_hears_versions_and_the_projector_every_message():
    broker = LocalBroker()
    broker.learn(1, 5)
    serial = broker.serial(1)
    broker.notify(1, COUNT, 5)  # an answer: same version
    assert broker.wait(1, serial, 5, 0, every=False) == (serial + 1, 5)  # nothing new for a phone
    assert broker.serial(1) != serial  # the projector's stream sees the count
    broker.notify(1, PHASE, 6)
    assert broker.wait(1, serial + 1, 5, 0, every=False)[1] == 6
    broker.notify(1, PHASE, 4)  # a late message never takes a session back
    assert broker.wait(1, serial, 6, 0, every=False)[1] == 6


def test_one_stream_of_a_process_reads_the_database_at_a_time():
    broker = LocalBroker()
    assert broker.claim_check(7)  # the first stream whose wait ends
    assert not broker.claim_check(7)  # the others wait for what it finds
    broker.checked(7, 3, next_in=60)
    assert not broker.claim_check(7)  # not due before the next check
    assert broker.wait(7, broker.serial(7), 2, 0, every=False)[1] == 3  # the version it read
    broker.checked(7, None, next_in=0)  # (a session gone: nothing learnt) due again soon
    other = LocalBroker()
    assert other.claim_check(7)  # another process checks for its own streams


REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL")


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: QUIZAPP_TEST_REDIS_URL must point at a Redis server")
        pytest.skip("QUIZAPP_TEST_REDIS_URL is not set: the Redis test is skipped")
    return REDIS_URL


def test_apps_on_other_databases_of_one_redis_do_not_hear_each_others_games(redis_url):
    """Pub/sub channels belong to the whole Redis server, not to a database: each database's
    apps publish and listen on channels of their own."""
    url = make_url(redis_url)
    ours, theirs = url._replace(path="/14"), url._replace(path="/15")
    publisher = RedisBroker(ours.geturl())
    same, other = RedisBroker(ours.geturl()), RedisBroker(theirs.geturl())
    session_id = random.randrange(10**8, 10**9)
    for broker in (same, other):
        broker.wait(session_id, 0, 0, 0, every=False)  # starts its listener
        broker.checked(session_id, None, next_in=60)  # no database check to wake it early
    time.sleep(0.5)  # both listeners subscribed
    unknown = other.wait(session_id, 0, 0, 0, every=False)[1]
    publisher.publish(session_id, PHASE, 7)
    assert same.wait(session_id, same.serial(session_id), 0, 5, every=False)[1] == 7
    assert other.wait(session_id, other.serial(session_id), 0, 1, every=False)[1] == unknown < 7


def test_streams_opened_together_end_spread_over_the_cycle():
    """300 phones whose streams open in the same second end at moments spread evenly over a
    cycle (none sooner than half a cycle, none later than one and a half), each phone at the
    same moment of the cycle every time; a stream of 0 seconds ends at once."""
    from quizapp.live.broker import stream_end

    now, cycle = 1_800_000_000.25, 60.0
    ends = [stream_end(now + random.uniform(0, 1), cycle, player) for player in range(1, 301)]
    assert all(now + cycle / 2 <= end < now + 1 + cycle * 1.5 for end in ends)
    tenths = [0] * 10
    for end in ends:
        tenths[int((end % cycle) / cycle * 10)] += 1
    assert min(tenths) >= 20 and max(tenths) <= 40, tenths  # 30 each if perfectly even
    later = stream_end(now + 1000, cycle, 7) % cycle
    assert later == pytest.approx(stream_end(now, cycle, 7) % cycle)
    assert stream_end(now, 0, 7) == now
    projector = [stream_end(now, cycle) for _ in range(50)]
    assert len(set(projector)) > 1 and all(
        now + cycle / 2 <= e < now + 1.5 * cycle for e in projector
    )
