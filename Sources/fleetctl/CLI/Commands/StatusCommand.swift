import FleetControl
import FleetCore
import Monitoring

/// `fleetctl status [SELECTOR]`: one concurrent poll of the selected hosts, one row each.
enum StatusCommand {
    static let spec = VerbSpec(
        "status", summary: "poll every selected host once and show its state",
        discussion: """
            Runs `agent-runner peek --json` on each host over ssh (at most --parallel at once, each
            bounded by the host's poll_timeout_s) and prints one row per host: reachability,
            service state, round, phase, last exit, disk, throttle, version and the detectors that
            fire on what the host reported. With --json, one JSON object per host per line.
            Understands peek from our agent-runner and from the original 0.3.x (schema 2.6).
            """,
        options: [FleetctlProgram.excludeOption, FleetctlProgram.parallelOption],
        positionals: [FleetctlProgram.selectorPositional],
        exitCodes: [
            (ExitCode.success, "every selected host is reachable and healthy"),
            (ExitCode.failure, "some host is unreachable, unreadable, or has a firing warning/critical alert"),
            (ExitCode.usage, "the command line or the selector is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let resolved: FleetTargets
        switch FleetTargets.resolve(
            parsed, context: context, runner: runner, selector: parsed.positionals.first, verb: spec.name)
        {
        case .success(let value): resolved = value
        case .failure(let failure): return failure.code
        }
        let parallel: Int
        do { parallel = try FleetTargets.parallel(parsed) } catch {
            return runner.usageFailure(error, context: context)
        }
        let poller = PeekPoller(executor: FleetTargets.executor(context))
        let rows = FleetStatus.poll(resolved.monitored, poller: poller, parallel: parallel)
        if parsed.has("json") {
            for row in rows { context.stdout.write(JSONWriter(style: .compact).string(.object(row.json())) + "\n") }
        } else {
            context.stdout.write(TerminalText.sanitize(StatusTable.render(rows), keepNewlines: true))
            for row in rows where row.error != nil { context.stderr.write("fleetctl: \(row.error!)\n") }
        }
        return rows.allSatisfy(\.isHealthy) ? ExitCode.success : ExitCode.failure
    }
}
