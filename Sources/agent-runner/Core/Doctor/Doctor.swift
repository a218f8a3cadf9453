import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `agent-runner doctor`: the read-only preflight an operator runs before `start` or after an
/// upgrade. It never starts the agent; like the original it creates the log dir and writes and
/// deletes `.write_probe` there (the writability check). The checks are the startup battery's,
/// so doctor and serve cannot disagree, followed by this agent-runner's own: the event log is
/// readable and its newest line whole, the service's mode is consistent (one supervisor), the
/// config uses no old spelling.
public struct Doctor {
    public let config: AgentRunnerConfig
    public let environment: [String: String]
    /// Runs git (the work-tree probe) and systemctl (the unit's state), reads and probes files.
    public let effects: Effects

    public init(config: AgentRunnerConfig, environment: [String: String], effects: Effects) {
        self.config = config
        self.environment = environment
        self.effects = effects
    }

    /// Every check, the plan of the first `rounds` rounds and the facts.
    public func run(rounds: Int) -> DoctorReport {
        var checks = [StartupBattery.Check(name: "config_loaded")]
        checks += startupChecks()
        checks.append(Self.eventLogCheck(logDir: config.runtime.logDir))
        var state = ServiceState(mode: .none)
        var stale = false
        do {
            let paths = try ServicePaths(config: config, environment: environment)
            let systemctl = Systemctl(
                SystemCommand("systemctl", runner: effects.processes, clock: effects.clock, environment: environment),
                scope: .user)
            state = ServiceModeDetector(paths: paths, systemctl: systemctl).detect()
            stale = state.servePID == nil && Directories.exists(paths.servePidPath)
            checks.append(Self.serviceCheck(state, project: config.project))
        } catch {
            let name = Self.serviceCheckName
            checks.append(
                .init(
                    name: name,
                    failure: .init(
                        check: name, reason: error.message, howToFix: "rename the work dir's folder", permanent: true)))
        }
        checks.append(Self.configCheck(config.warnings))
        return DoctorReport(
            checks: checks, plan: (1...max(1, rounds)).map { ($0, config.phases.phase(forRound: $0)) },
            agent: config.agent.binary, sigtermGraceS: config.agent.sigtermGraceS,
            cgroup: Self.cgroup(brakeEnabled: config.monitor.hostHealth.brakeMemoryHigh), service: state,
            stalePidFile: stale)
    }

    /// The startup battery for every profile of the config (base, then each phase's own agent and
    /// prompt): what a round checks before it starts, so `agent-runner config` and `doctor` fail
    /// exactly where `round` and `serve` would. Probes git and the log dir (creating it).
    public func startupChecks() -> [StartupBattery.Check] {
        let git = GitWorkTree(
            workDir: config.runtime.workDir, logDir: config.runtime.logDir, configPath: config.configPath,
            effects: effects, environment: environment)
        return StartupBattery(config: config, environment: environment, fileSystem: effects.fileSystem).preflight(
            isGitWorkTree: git.probe().isWorkTree)
    }

    // MARK: This agent-runner's checks

    static let eventLogCheckName = "event_log_readable"
    static let serviceCheckName = "service_mode_consistent"
    static let configCheckName = "config_current"

    /// Every month file of the event log can be opened, and the newest one ends with a whole
    /// event: a torn last line means the last append was cut short (disk full, a crash mid-write).
    /// Older torn lines are not reported: readers skip them and the writer starts a fresh line.
    public static func eventLogCheck(logDir: String) -> StartupBattery.Check {
        let name = eventLogCheckName
        func failed(_ reason: String, _ fix: String) -> StartupBattery.Check {
            .init(name: name, failure: .init(check: name, reason: reason, howToFix: fix, permanent: false))
        }
        let files: [EventLogFile]
        do {
            files = try EventLogFile.list(in: logDir)
        } catch {
            return failed("\(error)", "make \(logDir) readable by the user serve runs as")
        }
        for file in files where access(file.path, R_OK) != 0 {
            let reason = SystemError.text(errno)
            return failed("cannot read \(file.path) (\(reason))", "make it readable by the user serve runs as")
        }
        guard let newest = files.last else { return .init(name: name) }
        let tail = Directories.tail(of: newest.path, bytes: 256 << 10)
        guard !tail.isEmpty else { return .init(name: name) }
        let fix =
            "check free space on the log disk (df \(logDir)); readers skip the fragment and the next event "
            + "starts on a new line"
        guard tail.last == UInt8(ascii: "\n") else {
            return failed(
                "\(newest.path) ends in a torn line: the last append was cut short (disk full, or a crash "
                    + "mid-write)", fix)
        }
        let body = tail.dropLast()
        let last = Array(body[(body.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? body.startIndex)...])
        guard Event(line: last) != nil else {
            return failed("the last line of \(newest.path) is not an event (a torn or foreign write)", fix)
        }
        return .init(name: name)
    }

    /// One supervisor per project: not a user unit and a system unit at once, and no serve
    /// running outside the installed user unit (`start` would add a second, and systemd would
    /// not restart the stray one).
    public static func serviceCheck(_ state: ServiceState, project: String) -> StartupBattery.Check {
        let name = serviceCheckName
        func failed(_ reason: String, _ fix: String) -> StartupBattery.Check {
            .init(name: name, failure: .init(check: name, reason: reason, howToFix: fix, permanent: false))
        }
        if let user = state.userUnitPath, let system = state.systemUnitPath {
            return failed(
                "both a user unit (\(user)) and a system unit (\(system)) run serve for \(project)",
                "keep one: 'agent-runner uninstall' removes the user unit; the system unit needs root")
        }
        if state.userUnitPath != nil, let pid = state.servePID,
            !ServiceModeDetector.activeStates.contains(state.userUnitState ?? "")
        {
            return failed(
                "serve (pid \(pid)) runs outside its installed user unit, which is "
                    + "\(state.userUnitState ?? "in an unknown state")",
                "'agent-runner stop', then 'agent-runner start' "
                    + "(under the unit)")
        }
        return .init(name: name)
    }

    /// The config uses no old spelling (each would be refused by the original 0.3, and is one
    /// warning per load here).
    public static func configCheck(_ warnings: [ConfigWarning]) -> StartupBattery.Check {
        let name = configCheckName
        guard !warnings.isEmpty else { return .init(name: name) }
        let keys = warnings.map { "\($0.key) (line \($0.line))" }.joined(separator: ", ")
        var fixes: [String] = []
        for warning in warnings where !fixes.contains(warning.fix) { fixes.append(warning.fix) }
        let count = warnings.count
        return .init(
            name: name,
            failure: .init(
                check: name,
                reason: "\(count) old spelling\(count == 1 ? "" : "s") or no-op value\(count == 1 ? "" : "s"): \(keys)",
                howToFix: fixes.joined(separator: "; "), permanent: false))
    }

    /// This process's memory cgroup, as serve would find it.
    static func cgroup(brakeEnabled: Bool) -> DoctorReport.Cgroup {
        let reader = MemoryReader()
        guard let location = reader.locateCgroup() else {
            return .init(
                path: nil, memoryMax: nil, memoryHigh: nil, delegated: nil,
                brake: brakeEnabled ? "inert(no memory cgroup)" : "off")
        }
        let files = CgroupMemoryFiles(location)
        let high =
            location.version == .v2 ? ProcText.read(files.memoryHighPath).flatMap { Int64($0.trimmedLines) } : nil
        let delegated = reader.isMemoryHighWritable(files)
        let brake = !brakeEnabled ? "off" : delegated ? "armed" : "inert(memory.high is not writable: not delegated)"
        return .init(
            path: location.cgroupPath, memoryMax: reader.boundingCgroup(of: location)?.limitBytes,
            memoryHigh: high, delegated: delegated, brake: brake)
    }
}
