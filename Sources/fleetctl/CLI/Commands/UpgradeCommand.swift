import FleetControl
import FleetCore
import Monitoring
import SSHTransport

/// `fleetctl upgrade [SELECTOR]`: a staged canary rollout of a new agent-runner build to the
/// selected hosts (every host without a SELECTOR, confirmed first); `--resume ID` and `--abort ID`
/// continue or undo a recorded one.
enum UpgradeCommand {
    static let spec = VerbSpec(
        "upgrade",
        summary:
            "roll a new agent-runner build out to the selected hosts: canary first, then batches, with health gates",
        discussion: """
            Without a SELECTOR, every host of the inventory (minus --exclude), the build from [upgrade] artifact (or \
            [upgrade] source with --target) and the canary from --canary or [upgrade] canary: fleetctl upgrade \
            --canary pi. Polls every selected host once, plans the rollout (canary stage, then batches; hosts already on the target \
            skipped; unreachable hosts left out unless --include-unreachable) and prints the plan. Unless --dry-run, pushes \
            the build to each host of a stage over ssh (agent-runner upgrade --from - --sha256 HEX --target V --json), then \
            holds the stage to a health gate for the bake time (new version answering peek, service active). A failed gate \
            or more than --max-failures failed hosts stops the rollout and rolls back the hosts it upgraded (unless \
            --no-rollback). Every step is journaled in <state dir>/rollouts/ID.json. The printed plan lists the stages, \
            the hosts skipped and why, and the build (version, sha256). On a terminal it asks before the first host is \
            touched (--yes does not ask); without a terminal it goes on when a SELECTOR named the hosts or --yes is \
            given, and otherwise stops (exit 64).
            """,
        options: [
            OptionSpec(
                "target", value: "X.Y.Z",
                help: "The version to roll out (default: what the artifact reports; required for another "
                    + "architecture's build, and with [upgrade] source)."),
            OptionSpec(
                "artifact", value: "PATH",
                help: "The build to push (default: [upgrade] artifact, or --target's build from [upgrade] "
                    + "source, fetched and verified against its SHA256SUMS here; {arch} becomes each host's "
                    + "uname -m)."),
        ]
            + RolloutLaunch.stageOptions + [
                OptionSpec(
                    "gate-interval", value: "DURATION", help: "Time between health samples during a bake (default 5s)."),
                OptionSpec("dry-run", help: "Print the plan and change nothing."),
                RolloutLaunch.yesOption,
                OptionSpec("include-unreachable", help: "Plan hosts that did not answer the poll too."),
                OptionSpec("no-rollback", help: "On failure, leave upgraded hosts as they are for inspection."),
                OptionSpec(
                    "resume", value: "ID", help: "Continue a rollout fleetctl did not finish (every host re-checked)."),
                OptionSpec("abort", value: "ID", help: "Roll back what a rollout upgraded and mark it aborted."),
                WatchCommand.stateDirOption, FleetctlProgram.excludeOption, FleetctlProgram.parallelOption,
            ],
        positionals: [RolloutLaunch.upgradeSelector],
        exitCodes: [
            (ExitCode.success, "the rollout finished (or the dry run / abort completed)"),
            (
                ExitCode.failure,
                "the rollout failed: stopped, rolled back, or a host could not be rolled back; or the "
                    + "confirmation was declined (nothing touched)"
            ),
            (
                ExitCode.usage,
                "the command line, the selector or the rollout id is wrong; or every host was meant, with no "
                    + "terminal to confirm and no --yes"
            ),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let resolved: FleetTargets
        let explicit: Bool
        switch RolloutLaunch.select(parsed, context: context, runner: runner, verb: spec.name, everyHostByDefault: true)
        {
        case .hosts(let value, let named):
            resolved = value
            explicit = named
        case .finished(let code): return code
        }
        let request: Request
        do {
            request = try Request(parsed, inventory: resolved.inventory)
        } catch {
            return runner.usageFailure(error, context: context)
        }
        let launch = RolloutLaunch(
            parsed, context: context, runner: runner, resolved: resolved, kind: .upgrade, explicitSelector: explicit)
        do {
            guard
                let (finished, _) = try launch.start(
                    settings: request.settings, request: request,
                    idle: { "nothing to upgrade: no selected host needs \($0)" })
            else { return ExitCode.success }
            return exit(RolloutOutcome.of(finished), context: context)
        } catch {
            return error.code
        }
    }

    /// What the command line and the inventory's `[upgrade]` ask for a new rollout.
    struct Request {
        var batch: BatchSize
        var settings: RolloutJournal.Settings
        var options: RolloutRunner.Options
        /// The canary stage's hosts.
        var canary: Set<String> = []

        init(_ parsed: ParsedArguments, inventory: Inventory, verb: String = spec.name) throws(UsageError) {
            let policy = inventory.upgrade
            let batchText = parsed.value("batch") ?? policy.batch
            guard let size = BatchSize(batchText) else {
                throw UsageError("--batch must be N (hosts) or N% (1-100), got '\(batchText)'", verb: verb)
            }
            batch = size
            let release = parsed.value("artifact") == nil ? policy.source : nil
            guard let pattern = parsed.value("artifact") ?? release?.text ?? policy.artifact else {
                throw UsageError(
                    "no build to roll out: pass --artifact PATH, or set [upgrade] artifact or "
                        + "[upgrade] source in the inventory", verb: verb)
            }
            if release != nil && parsed.value("target") == nil {
                throw UsageError(
                    "[upgrade] source needs --target X.Y.Z: the version (as SHA256SUMS lists it) to "
                        + "roll out", verb: verb)
            }
            settings = .init(
                artifact: pattern, releaseSource: release != nil, bakeS: try parsed.seconds("bake") ?? policy.bakeS,
                maxFailures: try parsed.integer("max-failures", minimum: 0) ?? policy.maxFailures,
                rollback: !parsed.has("no-rollback"))
            settings.method = policy.method
            if policy.method == .deb && release != nil {
                throw UsageError(
                    "[upgrade] method = \"deb\" pushes a .deb: pass --artifact PATH.deb (or set [upgrade] artifact)",
                    verb: verb)
            }
            options = try runnerOptions(parsed)
            if let canarySelector = parsed.value("canary") ?? policy.canary {
                do {
                    canary = Set(try HostSelector.select(canarySelector, exclude: [], from: inventory).map(\.name))
                } catch {
                    throw UsageError("--canary: \(error.message)", verb: verb)
                }
            }
        }
    }

    /// Prints the outcome's line, if any, and returns its exit code.
    static func exit(_ outcome: RolloutOutcome, context: CommandContext) -> Int32 {
        if let message = outcome.message { context.stderr.write("fleetctl: \(message)\n") }
        return outcome.exitCode
    }

    static func runnerOptions(_ parsed: ParsedArguments) throws(UsageError) -> RolloutRunner.Options {
        let interval = try parsed.seconds("gate-interval") ?? 5
        return RolloutRunner.Options(
            parallel: try FleetTargets.parallel(parsed),
            gateInterval: .milliseconds(Int64(max(0.1, interval) * 1000)))
    }

    static func makeReporter(_ parsed: ParsedArguments, context: CommandContext, stateDir: String) -> RolloutReporter {
        let output = OutputPair(stdout: context.stdout, stderr: context.stderr)
        let human: @Sendable (String) -> Void = { output.stderr.write($0) }
        let toStdout: @Sendable (String) -> Void = { output.stdout.write($0) }
        let json: (@Sendable (String) -> Void)? = parsed.has("json") ? toStdout : nil
        return RolloutReporter(
            human: human, json: json, events: EventLogWriter(directory: stateDir, prefix: "fleet-events"))
    }

    /// `--resume ID` / `--abort ID`.
    static func continueRollout(
        _ id: String, abort: Bool, _ parsed: ParsedArguments, context: CommandContext,
        runner: ProgramRunner
    ) -> Int32 {
        guard let inventory = FleetctlProgram.loadInventory(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        let stateDir = StateDirectory.resolve(
            flag: parsed.value("state-dir"), inventory: inventory.fleet.stateDir,
            environment: context.environment, home: context.home)
        let store = RolloutJournalStore(stateDirectory: stateDir)
        let journal: RolloutJournal
        let options: RolloutRunner.Options
        let runLock: FileLock
        do {
            runLock = try store.lock(id)
            journal = try store.load(id)
            options = try runnerOptions(parsed)
        } catch let error as RolloutError {
            context.stderr.write("fleetctl: \(error.message)\n")
            return error.exitCode
        } catch {
            return runner.usageFailure(
                error as? UsageError ?? UsageError("\(error)", verb: spec.name), context: context)
        }
        if !abort, let refusal = RolloutOutcome.resumeRefusal(journal) {
            context.stderr.write("fleetctl: \(refusal)\n")
            return ExitCode.failure
        }
        let controlDirectory = ControlDirectory.defaultPath(environment: context.environment)
        var monitored: [MonitoredHost] = []
        for name in Set(journal.stages.flatMap { $0 }).sorted() {
            guard let host = inventory.host(named: name) else {
                context.stderr.write(
                    "fleetctl: rollout \(id) names host \(name), which \(inventory.displayPath) "
                        + "no longer lists; it is left out\n")
                continue
            }
            do {
                monitored.append(try MonitoredHost(host, controlDirectory: controlDirectory))
            } catch {
                context.stderr.write("fleetctl: config error: \(inventory.displayPath): \(error.message)\n")
                return ExitCode.config
            }
        }
        defer { runLock.release() }
        let executor = FleetTargets.executor(context)
        let reporter = makeReporter(parsed, context: context, stateDir: stateDir)
        let artifacts: RolloutArtifactSource
        do {
            artifacts = try RolloutArtifactSource(
                settings: journal.settings, target: journal.target, remote: executor,
                effects: context.effects)
        } catch {
            context.stderr.write("fleetctl: \(error.message)\n")
            return ExitCode.failure
        }
        let rollout = RolloutRunner(
            journal: journal, hosts: monitored, remote: executor, effects: context.effects, store: store,
            reporter: reporter, artifacts: artifacts, options: options)
        if abort {
            return exit(RolloutOutcome.ofAbort(rollout.abort()), context: context)
        }
        let stages = journal.stageLabels
        let stage = journal.currentStage < stages.count ? stages[journal.currentStage] : "the end"
        reporter.step(
            "started", RolloutStarted(rollout: id, target: journal.target, plan: nil),
            text: "resuming rollout \(id) to \(journal.target) at \(stage)")
        rollout.reconcile()
        return exit(RolloutOutcome.of(rollout.run()), context: context)
    }
}

/// The context's two text sinks, handed to the rollout's worker threads.
private struct OutputPair: Sendable {
    let stdout: any TextOutput
    let stderr: any TextOutput
}
