import FleetControl
import FleetCore
import Monitoring

/// `fleetctl stop|start|restart|kill SELECTOR`.
enum ActionCommand {
    static func spec(_ verb: String) -> VerbSpec {
        let summaries = [
            "stop": "stop the service on the selected hosts (graceful: the round in flight finishes)",
            "start": "start the service on the selected hosts",
            "restart": "restart the service on the selected hosts",
            "kill": "kill the service on the selected hosts, round in flight included",
        ]
        return VerbSpec(
            verb, summary: summaries[verb] ?? verb,
            discussion:
                "Runs `agent-runner \(verb) --json` (with the host's config) on every selected host, at most --parallel at once, and prints one result per host (JSON Lines with --json).",
            options: [FleetctlProgram.excludeOption, FleetctlProgram.parallelOption]
                + (verb == "stop" || verb == "restart"
                    ? [
                        OptionSpec(
                            "timeout", value: "S",
                            help:
                                "Each host's deadline (default 120s). A graceful \(verb) waits for the round in flight; past the deadline one peek tells whether the host is still stopping."
                        )
                    ]
                    : []),
            positionals: [
                PositionalSpec("SELECTOR", help: "all, a host, @group, a glob, or several joined by commas (required).")
            ],
            exitCodes: [
                (ExitCode.success, "it succeeded on every selected host"),
                (ExitCode.failure, "it failed on some host (partial failure; the others are done)"),
                (ExitCode.usage, "the command line or the selector is wrong"),
                (ExitCode.config, "the inventory is missing, unreadable or invalid"),
            ])
    }

    static func run(_ verb: String, _ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32
    {
        let resolved: FleetTargets
        switch FleetTargets.resolve(
            parsed, context: context, runner: runner, selector: parsed.positionals.first, verb: verb)
        {
        case .success(let value): resolved = value
        case .failure(let failure): return failure.code
        }
        let parallel: Int
        var timeout = FleetAction.defaultTimeout
        do throws(UsageError) {
            parallel = try FleetTargets.parallel(parsed)
            if let seconds = try parsed.seconds("timeout") {
                guard seconds > 0 else { throw UsageError("--timeout must be more than 0 seconds", verb: verb) }
                timeout = .milliseconds(Int64(seconds * 1000))
            }
        } catch {
            return runner.usageFailure(error, context: context)
        }
        let results = FleetAction.run(
            verb, on: resolved.targets, executor: FleetTargets.executor(context), parallel: parallel, timeout: timeout)
        for result in results {
            if parsed.has("json") {
                context.stdout.write(JSONWriter(style: .compact).string(.object(result.json(verb: verb))) + "\n")
            } else if result.ok {
                context.stdout.write("\(result.host): \(verb) ok\(result.service.map { " (service \($0))" } ?? "")\n")
            } else {
                context.stderr.write("fleetctl: \(result.host): \(verb) failed: \(result.error ?? "unknown error")\n")
            }
        }
        let failed = results.filter { !$0.ok }.count
        if failed > 0 && !parsed.has("json") {
            context.stderr.write(
                "fleetctl: \(verb) failed on \(failed) of \(results.count) host\(results.count == 1 ? "" : "s")\n")
        }
        return failed == 0 ? ExitCode.success : ExitCode.failure
    }
}
