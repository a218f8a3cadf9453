import FleetCore

/// The memory defenses as peek's `defenses` lists them (peek-schema.md §3), after
/// ``DefenseCatalogue/entries(for:brake:)``'s.
public enum MemoryDefenses {
    static let tests = "Tests/AgentRunnerCoreTests/Serve/MemoryDefenseServeTests.swift"

    public static func entries(_ settings: MemoryDefenseSettings, brake: MemoryHighBrake.Status) -> [Defense] {
        [
            Defense(
                name: "pre_round_memory_gate",
                value: "no round starts while memory pressure is critical; re-checked every 30 s",
                codifies: "0.2.14 — rounds started into a swapping host were the ones the kernel OOM-killed",
                guardedBy: tests, currentState: .active),
            Defense(
                name: "mid_round_memory_floor", value: .int(Int64(settings.criticalConsecutiveSamples)),
                codifies:
                    "0.2.14 — a round held a 512 MB host at critical until sshd stopped answering; terminate after N critical 10 s ticks",
                guardedBy: tests, currentState: settings.inRoundTerminate ? .active : .off),
            Defense(
                name: "mem_loop_breaker",
                value:
                    "stop after 5 consecutive mid-round memory-terminated rounds (exit 71, restarts); escalates to a persistent stop (exit 70) if mem_loop itself recurs 3x within a rolling 2h window across restarts",
                codifies:
                    "0.2.15 — a host stuck under memory pressure mem-terminated every round forever; 0.2.16 — restarts never converged on a host that does not recover",
                guardedBy: tests, currentState: .active),
            Defense(
                name: "memory_high_brake", value: .string(brake.rawValue),
                codifies:
                    "0.3.7 — cap memory.high at current usage while pressure lasts, so the kernel reclaims from the agent, not the host",
                guardedBy: tests, currentState: brake == .armed ? .active : brake == .off ? .off : .degraded),
        ]
    }
}
