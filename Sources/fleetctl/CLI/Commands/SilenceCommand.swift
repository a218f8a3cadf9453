import Detectors
import FleetControl
import FleetCore
import Monitoring

/// `fleetctl silence`, `silences`, `unsilence`.
enum SilenceCommand {
    static let spec = VerbSpec(
        "silence", summary: "mute alert hooks for some hosts (and one detector) for a while",
        discussion: """
            Alerts still fire, are logged (with silenced_by) and still auto-stop; only hooks are
            muted. A running watch picks the silence up before its next notification.
            """,
        options: [
            OptionSpec("detector", value: "D", help: "Only this detector (default: every detector)."),
            OptionSpec("for", value: "DURATION", help: "How long, e.g. 30m, 2h (required)."),
            OptionSpec("reason", value: "TEXT", help: "Why (required; shown with every muted alert)."),
            WatchCommand.stateDirOption, FleetctlProgram.excludeOption,
        ],
        positionals: [PositionalSpec("SELECTOR", help: "all, a host, @group, a glob, or several joined by commas.")],
        exitCodes: [
            (ExitCode.success, "the silence is in force; its id is printed"),
            (ExitCode.failure, "the state directory cannot be used"),
            (ExitCode.usage, "the command line, the selector or the detector is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static let listSpec = VerbSpec(
        "silences", summary: "list the silences in force",
        options: [WatchCommand.stateDirOption],
        exitCodes: [
            (ExitCode.success, "listed"), (ExitCode.failure, "the state directory cannot be read"),
            (ExitCode.config, "no --state-dir, and the inventory is missing, unreadable or invalid"),
        ])

    static let removeSpec = VerbSpec(
        "unsilence", summary: "end a silence now",
        options: [WatchCommand.stateDirOption],
        positionals: [
            PositionalSpec("ID", help: "The silence's id (or a unique prefix), as `fleetctl silences` shows it.")
        ],
        exitCodes: [
            (ExitCode.success, "ended"),
            (ExitCode.failure, "no silence has that id, or the state directory cannot be used"),
            (ExitCode.usage, "no ID given"),
            (ExitCode.config, "no --state-dir, and the inventory is missing, unreadable or invalid"),
        ])

    static func add(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let selector = parsed.positionals.first else {
            return runner.usageFailure(
                UsageError("silence needs a SELECTOR (a host, @group, a glob or all)", verb: spec.name),
                context: context)
        }
        let duration: Double
        do {
            guard let seconds = try parsed.seconds("for"), seconds > 0 else {
                return runner.usageFailure(
                    UsageError("--for DURATION is required, e.g. --for 2h", verb: spec.name), context: context)
            }
            duration = seconds
        } catch { return runner.usageFailure(error, context: context) }
        guard let reason = parsed.value("reason"), !reason.trimmingCharacters(in: " ").isEmpty else {
            return runner.usageFailure(
                UsageError("--reason TEXT is required: the next operator needs to know why", verb: spec.name),
                context: context)
        }
        if let detector = parsed.value("detector"), !DetectorNames.all.contains(detector) {
            return runner.usageFailure(
                UsageError(DetectorNames.unknown(detector), verb: spec.name), context: context)
        }
        let resolved: FleetTargets
        switch FleetTargets.resolve(parsed, context: context, runner: runner, selector: selector, verb: spec.name) {
        case .success(let value): resolved = value
        case .failure(let failure): return failure.code
        }
        let now = SystemClock().now()
        let silence = Silence(
            id: newID(), selector: selector, hosts: resolved.hosts.map(\.name), detector: parsed.value("detector"),
            createdAt: now, until: Seconds.instant(Seconds.epoch(now) + duration), reason: reason)
        guard let store = store(parsed, context: context, inventory: resolved.inventory.fleet.stateDir) else {
            return ExitCode.failure
        }
        do {
            try store.update { list in
                list.prune(at: now)
                list.add(silence)
            }
        } catch {
            context.stderr.write("fleetctl: \(error)\n")
            return ExitCode.failure
        }
        if parsed.has("json") {
            context.stdout.write(JSONWriter(style: .compact).string(silence.json()) + "\n")
        } else {
            context.stdout.write("\(silence.id)\n")
            context.stderr.write(
                "fleetctl: silenced \(silence.hosts.joined(separator: ", ")) (\(silence.detector ?? "every detector")) until \(EventTimestamp.format(silence.until))\n"
            )
        }
        return ExitCode.success
    }

    static func list(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let inventoryDir: String?
        switch inventoryStateDir(parsed, context: context, runner: runner) {
        case .success(let directory): inventoryDir = directory
        case .failure(let failure): return failure.code
        }
        guard let store = store(parsed, context: context, inventory: inventoryDir) else {
            return ExitCode.failure
        }
        let silences: [Silence]
        do {
            silences = try store.load().active(at: SystemClock().now())
        } catch {
            context.stderr.write("fleetctl: \(error)\n")
            return ExitCode.failure
        }
        for silence in silences {
            if parsed.has("json") {
                context.stdout.write(JSONWriter(style: .compact).string(silence.json()) + "\n")
            } else {
                context.stdout.write(
                    "\(silence.id)  \(silence.selector) (\(silence.hosts.joined(separator: ",")))  \(silence.detector ?? "*")  until \(EventTimestamp.format(silence.until))  \(silence.reason)\n"
                )
            }
        }
        return ExitCode.success
    }

    static func remove(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let id = parsed.positionals.first else {
            return runner.usageFailure(
                UsageError("unsilence needs an ID (see fleetctl silences)", verb: removeSpec.name), context: context)
        }
        let inventoryDir: String?
        switch inventoryStateDir(parsed, context: context, runner: runner) {
        case .success(let directory): inventoryDir = directory
        case .failure(let failure): return failure.code
        }
        guard let store = store(parsed, context: context, inventory: inventoryDir) else {
            return ExitCode.failure
        }
        do {
            let removed = try store.update { list in list.remove(id) }
            guard let removed else {
                context.stderr.write(
                    "fleetctl: no silence with id '\(id)' (or the prefix is not unique); 'fleetctl silences' lists them\n"
                )
                return ExitCode.failure
            }
            context.stderr.write("fleetctl: silence \(removed.id) ended\n")
            return ExitCode.success
        } catch {
            context.stderr.write("fleetctl: \(error)\n")
            return ExitCode.failure
        }
    }

    /// The inventory's state directory; with `--state-dir` no inventory is needed. Without
    /// either this is a config error (exit 78): falling back to some other directory listed no
    /// silences, exit 0, when run outside the inventory's folder.
    private static func inventoryStateDir(
        _ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner
    )
        -> Result<String?, ExitFailure>
    {
        if let flag = parsed.value("state-dir"), !flag.isEmpty { return .success(nil) }
        do {
            let path = FleetctlProgram.inventoryPath(parsed, context: context)
            return .success(try FleetctlProgram.inventoryLoader(context).load(path: path).fleet.stateDir)
        } catch {
            context.stderr.write(
                "fleetctl: \(error); the silences live in the inventory's state directory: pass -i PATH (or set FLEETCTL_INVENTORY), or --state-dir PATH\n"
            )
            return .failure(ExitFailure(code: ExitCode.config))
        }
    }

    private static func store(_ parsed: ParsedArguments, context: CommandContext, inventory: String?) -> SilenceStore? {
        let directory = StateDirectory.resolve(
            flag: parsed.value("state-dir"), inventory: inventory, environment: context.environment, home: context.home)
        if parsed.value("state-dir") == nil,
            let note = StateDirectory.legacyNote(
                stateDir: directory,
                stateHome: StateDirectory.home(environment: context.environment, home: context.home))
        {
            context.stderr.write("fleetctl: \(note)\n")
        }
        do {
            try StateDirectory.prepare(directory)
        } catch {
            context.stderr.write("fleetctl: \(error)\n")
            return nil
        }
        return SilenceStore(directory: directory)
    }

    private static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return bytes.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text = text.dropFirst() }
        while text.last == set { text = text.dropLast() }
        return String(text)
    }
}
