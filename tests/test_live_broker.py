"""The live broker's bookkeeping, without threads: versions carried by messages, the phones'
streams deaf to counts, one database check per process at a time."""

from __future__ import annotations

from quizapp.live.broker import COUNT, PHASE, LocalBroker, decode, encode


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
