import FleetCore

/// What `agent-runner doctor` found: the startup battery for every profile of the config, then
/// this agent-runner's own checks, the phase plan, the stop signal, cgroup and service facts. A
/// value, printed as text or as the original's JSON shape (with `service` added).
public struct DoctorReport: Sendable, Equatable {
    /// The memory cgroup serve would run in (the facts behind the `[monitor.host_health.brake]`).
    public struct Cgroup: Sendable, Equatable {
        public var path: String?
        /// The nearest finite `memory.max` (v2) or `memory.limit_in_bytes` (v1) from it up, bytes.
        public var memoryMax: Int64?
        /// Its `memory.high`, bytes; nil when unset (`max`) or not v2.
        public var memoryHigh: Int64?
        /// Whether this user may write `memory.high` (a delegated v2 cgroup); nil without a cgroup.
        public var delegated: Bool?
        /// `off`, `armed` or `inert(<why>)`.
        public var brake: String

        public init(path: String?, memoryMax: Int64?, memoryHigh: Int64?, delegated: Bool?, brake: String) {
            self.path = path
            self.memoryMax = memoryMax
            self.memoryHigh = memoryHigh
            self.delegated = delegated
            self.brake = brake
        }
    }

    public var checks: [StartupBattery.Check]
    /// Round N → its phase (nil: no rotation).
    public var plan: [(round: Int, phase: String?)]
    /// The agent's identity and its SIGTERM → SIGKILL grace.
    public var agent: String
    public var sigtermGraceS: Int
    public var cgroup: Cgroup
    public var service: ServiceState
    /// serve.pid exists but names no live serve (killed, or the host rebooted).
    public var stalePidFile: Bool

    public init(
        checks: [StartupBattery.Check], plan: [(round: Int, phase: String?)], agent: String, sigtermGraceS: Int,
        cgroup: Cgroup, service: ServiceState, stalePidFile: Bool
    ) {
        self.checks = checks
        self.plan = plan
        self.agent = agent
        self.sigtermGraceS = sigtermGraceS
        self.cgroup = cgroup
        self.service = service
        self.stalePidFile = stalePidFile
    }

    public static func == (lhs: DoctorReport, rhs: DoctorReport) -> Bool {
        lhs.checks == rhs.checks && lhs.plan.map(\.round) == rhs.plan.map(\.round)
            && lhs.plan.map(\.phase) == rhs.plan.map(\.phase) && lhs.agent == rhs.agent
            && lhs.sigtermGraceS == rhs.sigtermGraceS && lhs.cgroup == rhs.cgroup && lhs.service == rhs.service
            && lhs.stalePidFile == rhs.stalePidFile
    }

    /// The checks that failed.
    public var failures: [StartupBattery.Failure] { checks.compactMap(\.failure) }

    /// `[ok] name` / `[FAIL] name — reason (fix: how)`, then the sections, as the original
    /// prints them (the `service:` section is this agent-runner's), with values in words
    /// (``HumanText``: `–` for none, `yes`/`no`, sizes in KiB/MiB) where the original wrote Python's.
    public var text: String {
        var lines = ["checks:"]
        for check in checks {
            if let failure = check.failure {
                lines.append("  [FAIL] \(check.name) — \(failure.reason) (fix: \(failure.howToFix))")
            } else {
                lines.append("  [ok] \(check.name)")
            }
        }
        lines.append("phase plan:")
        lines += plan.map { "  round \($0.round): \($0.phase ?? "base")" }
        lines.append(
            "sigterm grace: \(HumanText.duration(seconds: Double(sigtermGraceS))) (SIGTERM to the agent's process "
                + "group, then SIGKILL; agent=\(agent))")
        lines.append("cgroup:")
        lines.append("  cgroup_path: \(cgroup.path ?? HumanText.missing)")
        lines.append("  memory_max: \(HumanText.bytes(cgroup.memoryMax.map { Int($0) }))")
        lines.append("  memory_high: \(HumanText.bytes(cgroup.memoryHigh.map { Int($0) }))")
        lines.append("  delegated: \(cgroup.delegated.map { $0 ? "yes" : "no" } ?? HumanText.missing)")
        lines.append("  brake: \(cgroup.brake)")
        lines.append("service:")
        lines.append("  mode: \(service.mode.rawValue)")
        let serve: String
        if let pid = service.servePID {
            serve = "running (pid \(pid))"
        } else {
            serve =
                stalePidFile
                ? "not running (serve.pid is left from a serve that was killed or a reboot)" : "not running"
        }
        lines.append("  serve: \(serve)")
        let unit = service.userUnitPath.map { "\($0) (\(service.userUnitState ?? "state unknown"))" }
        lines.append("  user unit: \(unit ?? "none")")
        lines.append("  system unit: \(service.systemUnitPath ?? "none")")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{checks, overlaps, plan, cgroup, sigterm_grace}` as the original's `doctor --json`, then
    /// `service`.
    public var json: JSONValue {
        let checks = checks.map { check in
            JSONValue.object(
                JSONObject([
                    ("name", .string(check.name)), ("ok", .bool(check.ok)),
                    ("reason", .string(check.failure?.reason ?? "")),
                    ("how_to_fix", .string(check.failure?.howToFix ?? "")),
                    ("permanent", .bool(check.failure?.permanent ?? false)),
                ]))
        }
        let plan = plan.map { step in
            JSONValue.object(
                JSONObject([
                    ("round", .int(Int64(step.round))), ("phase", step.phase.map(JSONValue.string) ?? .null),
                    ("paused", .bool(false)), ("resume_phase", .null), ("resume_at", .null), ("resume_timezone", .null),
                    ("skipped", .array([])), ("active_window", .null),
                ]))
        }
        let state = self.service
        let service = JSONValue.object(
            JSONObject([
                ("mode", .string(state.mode.rawValue)), ("active", .bool(state.active)),
                ("pid", state.servePID.map { .int(Int64($0)) } ?? .null),
                ("unit_file", state.userUnitPath.map(JSONValue.string) ?? .null),
                ("unit_state", state.userUnitState.map(JSONValue.string) ?? .null),
                ("system_unit_file", state.systemUnitPath.map(JSONValue.string) ?? .null),
                ("stale_pid_file", .bool(stalePidFile)),
            ]))
        return .object(
            JSONObject([
                ("checks", .array(checks)), ("overlaps", .array([])), ("plan", .array(plan)),
                (
                    "cgroup",
                    .object(
                        JSONObject([
                            ("cgroup_path", cgroup.path.map(JSONValue.string) ?? .null),
                            ("memory_max", cgroup.memoryMax.map { .int($0) } ?? .null),
                            ("memory_high", cgroup.memoryHigh.map { .int($0) } ?? .null),
                            ("delegated", cgroup.delegated.map(JSONValue.bool) ?? .null),
                            ("brake", .string(cgroup.brake)),
                        ]))
                ),
                (
                    "sigterm_grace",
                    .object(
                        JSONObject([
                            ("agent", .string(agent)), ("cooperative", .bool(false)), ("signal", .string("SIGTERM")),
                            ("resolved_s", .int(Int64(sigtermGraceS))),
                        ]))
                ),
                ("service", service),
            ]))
    }
}
