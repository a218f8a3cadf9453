import Detectors
import FleetCore

/// Peek documents for tests, in our agent-runner's shape (HostObservation+Peek.swift).
public enum Peek {
    public static let epoch: Int64 = 1_795_000_000

    public static func time(_ offset: Double) -> UTCInstant {
        Seconds.instant(Double(epoch) + offset)
    }

    /// A document at host time `at` with `rounds` finished rounds; `auth` of them (the last ones)
    /// failed authentication; disk at `disk` percent; service active or not.
    public static func document(
        at offset: Double = 0, rounds: Int = 12, auth: Int = 0, disk: Double = 40, active: Bool = true
    ) -> JSONValue {
        var items: [JSONValue] = []
        for number in 0..<rounds {
            let end = offset - Double(rounds - number) * 60
            items.append([
                "round_num": .int(Int64(number + 1)), "phase": .null,
                "started_at": .string(EventTimestamp.format(time(end - 30))),
                "ended_at": .string(EventTimestamp.format(time(end))),
                "exit_code": .int(number >= rounds - auth ? 1 : 0), "duration_s": 30.0, "timed_out": false,
                "exit_cause": .null,
                "auth_failure": .bool(number >= rounds - auth), "network_failure": false,
            ])
        }
        let now = EventTimestamp.format(time(offset))
        return [
            "generated_at": .string(now), "agent_runner_version": "0.9.0-test", "project": "demo",
            "status": ["round_num": .int(Int64(rounds)), "last_exit_code": 0],
            "recent_rounds": .array(items),
            "recent_events": .array([
                [
                    "ts": .string(EventTimestamp.format(time(offset - 5))), "event": "round_end",
                    "round_num": .int(Int64(rounds)),
                ]
            ]),
            "config": ["round_timeout_s": 1800],
            "system": ["ts": .string(now), "disk_used_pct": .double(disk)],
            "service": ["mode": "pid_file", "active": .bool(active)],
        ]
    }

    public static func observation(
        at offset: Double = 0, rounds: Int = 12, auth: Int = 0, disk: Double = 40
    ) -> HostObservation {
        HostObservation(peek: document(at: offset, rounds: rounds, auth: auth, disk: disk), pollerNow: time(offset))
    }

    public static let refused = RemoteFailure(
        returncode: 255, stderrTail: "ssh: connect to host 127.0.0.1 port 22: Connection refused")
}
