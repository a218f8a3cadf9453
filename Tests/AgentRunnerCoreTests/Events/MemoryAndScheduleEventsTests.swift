import FleetCore
import XCTest

@testable import AgentRunnerCore

/// The memory and schedule events write the original's payloads (events.md §3.3): keys in its
/// order, nulls where it writes null, keys left out where it leaves them out.
final class MemoryAndScheduleEventsTests: XCTestCase {
    func testTheCgroupProbeWritesNullsForAnUnboundedHost() {
        assertPayload(
            HostCgroupMemoryLimit(
                memoryMax: nil, memorySwapMax: nil, cgroupPath: nil, defer: false, swapTotalBytes: 0, swapCapPct: nil,
                memoryHigh: nil, advisory: nil, cgroupDelegated: nil),
            equals: JSONObject([
                ("memory_max", .null), ("memory_swap_max", .null), ("cgroup_path", .null), ("defer", false),
                ("swap_total_bytes", 0), ("swap_cap_pct", .null), ("memory_high", .null), ("advisory", .null),
                ("cgroup_delegated", .null),
            ]))
    }

    func testTheGateAndTheFloor() {
        assertPayload(
            RoundDeferred(severity: "critical", signal: "psi", message: "memory PSI full avg10 63.85 >= 60.0"),
            equals: JSONObject([
                ("severity", "critical"), ("signal", "psi"), ("message", "memory PSI full avg10 63.85 >= 60.0"),
            ]))
        assertPayload(RoundResumed(deferredForS: 90), equals: ["deferred_for_s": 90])
        assertPayload(
            RoundMemTerminated(
                pid: 4242, severity: "critical", signal: "psi", message: "m", consecutive: 3,
                context: ["signal": "psi"], tier: "terminate"),
            equals: JSONObject([
                ("pid", 4242), ("severity", "critical"), ("signal", "psi"), ("message", "m"), ("consecutive", 3),
                ("context", .object(["signal": "psi"])), ("tier", "terminate"),
            ]))
        assertPayload(
            MemoryHighWriteFailed(roundNum: 9, errno: nil), equals: JSONObject([("round_num", 9), ("errno", .null)]))
        assertPayload(
            RoundOomKilled(roundNum: 4, logPath: "/l/round-4.log", logBytes: 0, oomKills: 1, partialLog: false),
            equals: JSONObject([
                ("round_num", 4), ("log_path", "/l/round-4.log"), ("log_bytes", 0), ("events_oom_kill_delta", 1),
                ("oom_kill_delta", 1), ("partial_log", false),
            ]))
        assertPayload(
            MemLoopPersistent(consecutive: 5, exitCode: -9, reason: ""),
            equals: JSONObject([("consecutive", 5), ("exit_code", -9), ("reason", "")]))
    }

    func testScheduleEventsLeaveAnEmptyPhaseOut() {
        assertPayload(
            SchedulePaused(
                activeWindow: "outside run_windows", resumeAt: "2026-06-02T08:00:00+02:00", timezone: "Europe/Berlin",
                phase: ""),
            equals: JSONObject([
                ("active_window", "outside run_windows"), ("resume_at", "2026-06-02T08:00:00+02:00"),
                ("timezone", "Europe/Berlin"),
            ]))
        assertPayload(
            SchedulePaused(activeWindow: "Sat,Sun 00:00-24:00", resumeAt: "", timezone: "local", phase: "build"),
            equals: JSONObject([
                ("active_window", "Sat,Sun 00:00-24:00"), ("resume_at", ""), ("timezone", "local"), ("phase", "build"),
            ]))
        assertPayload(ScheduleResumed(pausedForS: 43198), equals: ["paused_for_s": 43198])
        assertPayload(
            SchedulePhaseSkipped(
                PhaseSkip(roundNumber: 41, skipped: ["review"], chosen: "build", activeWindow: "outside run_windows")),
            equals: JSONObject([
                ("round_num", 41), ("skipped", .array(["review"])), ("chosen", "build"),
                ("active_window", "outside run_windows"),
            ]))
    }
}
