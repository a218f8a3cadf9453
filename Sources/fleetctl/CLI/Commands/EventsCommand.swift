import FleetControl
import FleetCore
import Monitoring

/// `fleetctl events SELECTOR --kind K [--since TS]`.
enum EventsCommand {
    static let spec = VerbSpec(
        "events", summary: "merge the selected hosts' events of some kinds, each tagged with its host",
        discussion: """
            Runs `agent-runner events --kind K [--since TS | --window N]` on every selected host and
            prints the events as JSON Lines ordered by time, each with a "host" field naming the
            inventory host (a remote "host" field is kept as "remote_host").
            """,
        options: [
            OptionSpec("kind", value: "K[,K2...]", help: "Event kinds (required)."),
            OptionSpec("since", value: "TS", help: "Only events at or after this ISO-8601 time."),
            OptionSpec(
                "window", value: "N",
                help: "Without --since: the last N matching events of each host (agent-runner's default 10)."),
            FleetctlProgram.excludeOption, FleetctlProgram.parallelOption,
        ],
        positionals: [FleetctlProgram.selectorPositional],
        exitCodes: [
            (ExitCode.success, "every host answered"),
            (ExitCode.failure, "some host could not be read (its events are missing; the others are printed)"),
            (ExitCode.usage, "the command line or the selector is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let kinds = parsed.value("kind"), !kinds.split(separator: ",").isEmpty else {
            return runner.usageFailure(
                UsageError("--kind is required (e.g. --kind round_end,agent_exit)", verb: spec.name), context: context)
        }
        let names = kinds.split(separator: ",").map { String($0).trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        if let unknown = EventKindFilter.unknown(names).first {
            return runner.usageFailure(
                UsageError(EventKindFilter.message(for: unknown), verb: spec.name), context: context)
        }
        if let since = parsed.value("since"),
            EventTimestamp.parse(since) == nil && EventTimestamp.parse(since + "Z") == nil
        {
            return runner.usageFailure(
                UsageError(
                    "--since expects an ISO-8601 time such as 2026-11-25T10:00:00.000Z, got '\(since)'", verb: spec.name
                ), context: context)
        }
        let resolved: FleetTargets
        switch FleetTargets.resolve(
            parsed, context: context, runner: runner, selector: parsed.positionals.first, verb: spec.name)
        {
        case .success(let value): resolved = value
        case .failure(let failure): return failure.code
        }
        let parallel: Int
        let window: Int?
        do {
            parallel = try FleetTargets.parallel(parsed)
            window = try parsed.integer("window", minimum: 1)
        } catch { return runner.usageFailure(error, context: context) }
        let answers = FleetEventQuery.fetch(
            kinds: kinds, since: parsed.value("since"), window: window,
            targets: resolved.targets,
            executor: FleetTargets.executor(context), parallel: parallel)
        for event in FleetEventQuery.merge(answers) {
            context.stdout.write(JSONWriter(style: .compact).string(.object(event)) + "\n")
        }
        var failed = false
        for answer in answers where answer.error != nil {
            failed = true
            context.stderr.write("fleetctl: \(answer.host): \(answer.error!)\n")
        }
        return failed ? ExitCode.failure : ExitCode.success
    }
}
