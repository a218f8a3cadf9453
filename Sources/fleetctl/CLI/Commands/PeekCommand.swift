import FleetControl
import FleetCore
import Monitoring

/// `fleetctl peek HOST [--select PATH]`.
enum PeekCommand {
    static let spec = VerbSpec(
        "peek", summary: "print one host's peek document (or a part of it)",
        discussion:
            "Runs `agent-runner peek --json` on HOST and prints the document as JSON; --select a.b.0.c prints only that part (numeric segments index lists).",
        options: [OptionSpec("select", value: "PATH", help: "A dot path into the document.")],
        positionals: [PositionalSpec("HOST", help: "One inventory host.")],
        exitCodes: [
            (ExitCode.success, "printed"),
            (ExitCode.failure, "the host could not be read, or the --select path is not in the document"),
            (ExitCode.usage, "the command line is wrong or HOST is not one host"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let name = parsed.positionals.first else {
            return runner.usageFailure(UsageError("peek needs a HOST", verb: spec.name), context: context)
        }
        let resolved: FleetTargets
        switch FleetTargets.resolve(parsed, context: context, runner: runner, selector: name, verb: spec.name) {
        case .success(let value): resolved = value
        case .failure(let failure): return failure.code
        }
        guard resolved.targets.count == 1, let target = resolved.targets.first else {
            return runner.usageFailure(
                UsageError("'\(name)' names \(resolved.targets.count) hosts; peek reads one", verb: spec.name),
                context: context)
        }
        let poll = PeekPoller(executor: FleetTargets.executor(context)).poll(target, keepDocument: true)
        guard let document = poll.document else {
            context.stderr.write("fleetctl: \(poll.error ?? "\(target.name): cannot read peek")\n")
            return ExitCode.failure
        }
        var shown = document
        if let path = parsed.value("select") {
            do {
                shown = try JSONSelect.select(path, in: document)
            } catch {
                context.stderr.write("fleetctl: \(target.name): \(error)\n")
                return ExitCode.failure
            }
        }
        context.stdout.write(JSONLines.line(shown))
        return ExitCode.success
    }
}
