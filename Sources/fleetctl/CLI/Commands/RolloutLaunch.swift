import FleetControl
import FleetCore
import Monitoring
import SSHTransport

/// The start of a new rollout, one path for `fleetctl upgrade` and `fleetctl migrate`: the target
/// version, the builds, one probe per host, the plan (printed; only the plan under `--dry-run`),
/// then the journal under its lock and the run. A step that cannot go on has printed why and
/// throws the verb's exit code (`ExitFailure`).
struct RolloutLaunch {
    let parsed: ParsedArguments
    let context: CommandContext
    let runner: ProgramRunner
    let resolved: FleetTargets
    let kind: RolloutJournal.Kind
    /// The command line named the hosts (a SELECTOR) rather than taking every host by default.
    let explicitSelector: Bool
    let executor: any RemoteExecutor

    init(
        _ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner, resolved: FleetTargets,
        kind: RolloutJournal.Kind, explicitSelector: Bool = true
    ) {
        self.parsed = parsed
        self.context = context
        self.runner = runner
        self.resolved = resolved
        self.kind = kind
        self.explicitSelector = explicitSelector
        executor = FleetTargets.executor(context)
    }

    /// What the command line asks for before a new rollout is planned.
    enum Selection {
        /// `--resume` or `--abort` ran (they continue a journal), or the command line was refused:
        /// the verb's exit code.
        case finished(Int32)
        /// The selected hosts of a new rollout; `explicit`: a SELECTOR named them.
        case hosts(FleetTargets, explicit: Bool)
    }

    /// `--resume ID` / `--abort ID` continue that journal (whichever verb started it); otherwise
    /// the SELECTOR's hosts, which a new rollout needs: without one, every host of the inventory
    /// when `everyHostByDefault` (upgrade), else a usage error (migrate).
    static func select(
        _ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner, verb: String,
        everyHostByDefault: Bool = false
    ) -> Selection {
        if parsed.value("resume") != nil && parsed.value("abort") != nil {
            return .finished(
                runner.usageFailure(UsageError("--resume and --abort exclude each other", verb: verb), context: context)
            )
        }
        if let id = parsed.value("resume") ?? parsed.value("abort") {
            return .finished(
                UpgradeCommand.continueRollout(
                    id, abort: parsed.value("abort") != nil, parsed, context: context, runner: runner))
        }
        let selector = parsed.positionals.first
        if selector == nil && !everyHostByDefault {
            let error = UsageError("\(verb) needs a SELECTOR (or --resume ID / --abort ID)", verb: verb)
            return .finished(runner.usageFailure(error, context: context))
        }
        switch FleetTargets.resolve(parsed, context: context, runner: runner, selector: selector, verb: verb) {
        case .success(let value): return .hosts(value, explicit: selector != nil)
        case .failure(let failure): return .finished(failure.code)
        }
    }

    /// The hosts to plan; a resume or an abort takes them from the journal instead.
    static let selector = PositionalSpec(
        "SELECTOR",
        help: "all, a host, @group, a glob, or several joined by commas (required unless --resume/--abort).",
        optional: true)

    /// `fleetctl upgrade`'s SELECTOR, which defaults to every host.
    static let upgradeSelector = PositionalSpec(
        "SELECTOR",
        help: "all, a host, @group, a glob, or several joined by commas (default: every host, after a "
            + "confirmation: see --yes).",
        optional: true)

    /// `--yes`: the confirmation a whole-fleet rollout asks for, given in advance.
    static let yesOption = OptionSpec(
        "yes",
        help: "Start without asking: on a terminal the plan is confirmed first; without one, a rollout "
            + "with no SELECTOR (every host) needs --yes.")

    /// The options that shape the stages, with the same meaning and defaults for both verbs.
    static let stageOptions: [OptionSpec] = [
        OptionSpec(
            "canary", value: "SELECTOR", help: "The canary stage: a host or @group (default: [upgrade] canary)."),
        OptionSpec(
            "batch", value: "N|N%", help: "Hosts per batch after the canary (default: [upgrade] batch, 25%)."),
        OptionSpec(
            "bake", value: "DURATION",
            help: "How long each stage is watched before the next (default: [upgrade] bake, 5m)."),
        OptionSpec(
            "max-failures", value: "N",
            help: "Failed hosts tolerated before the rollout stops (default: [upgrade] max_failures, 0)."),
    ]

    /// The verb on the command line.
    var verb: String { kind == .migration ? "migrate" : "upgrade" }
    /// What the messages call one run of the verb.
    var noun: String { kind == .migration ? "migration" : "rollout" }

    /// The whole start: the target, its builds, the plan, then the run. Nil when there is nothing
    /// to run: a dry run (the plan printed), or no selected host that needs it (`idle(target)`
    /// says so on stderr).
    func start(
        settings: RolloutJournal.Settings, request: UpgradeCommand.Request, idle: (String) -> String
    ) throws(ExitFailure) -> (finished: RolloutJournal, reporter: RolloutReporter)? {
        let target = try target(settings)
        let artifacts = try artifacts(settings, target: target)
        let (plan, probes) = plan(target: target, request: request, artifacts: artifacts)
        if parsed.has("dry-run") { return nil }
        if plan.hosts.isEmpty {
            context.stderr.write("fleetctl: \(idle(target))\n")
            return nil
        }
        if kind == .upgrade { try confirm(plan) }
        return try run(
            plan, probes: probes, target: target, settings: settings, artifacts: artifacts, options: request.options)
    }

    /// `--target`, or the version the local build answers to `--version`.
    func target(_ settings: RolloutJournal.Settings) throws(ExitFailure) -> String {
        if let given = parsed.value("target") { return given }
        do {
            if settings.method == .deb {
                let local = RolloutArtifact.path(
                    settings.artifact, arch: UpgradeMethod.debianArchitecture(RolloutArtifact.localArch))
                return try RolloutArtifact.loadPackage(local, target: nil, effects: context.effects).version
            }
            let local = RolloutArtifact.path(settings.artifact, arch: RolloutArtifact.localArch)
            return try RolloutArtifact.load(local, arch: nil, target: nil, effects: context.effects).version
        } catch {
            let usage = UsageError("\(error.message); pass --target X.Y.Z", verb: verb)
            throw ExitFailure(code: runner.usageFailure(usage, context: context))
        }
    }

    /// The builds for `target` as the settings name them (a path pattern or a release source); a
    /// build that is the same for every host is read and checked before any host is touched.
    func artifacts(_ settings: RolloutJournal.Settings, target: String) throws(ExitFailure) -> RolloutArtifactSource {
        do throws(RolloutError) {
            let artifacts = try RolloutArtifactSource(
                settings: settings, target: target, remote: executor, effects: context.effects)
            if !artifacts.perArchitecture, case .failure(let error) = artifacts.artifact(for: resolved.targets[0]) {
                throw error
            }
            return artifacts
        } catch {
            context.stderr.write("fleetctl: \(error.message)\n")
            throw ExitFailure(code: ExitCode.failure)
        }
    }

    /// Probes every selected host once and plans the stages, then prints the plan: to stdout as
    /// JSON under `--json` or as text under `--dry-run`, else as text to stderr beside the progress.
    /// The text ends with the build each planned host gets: its version and sha256.
    func plan(
        target: String, request: UpgradeCommand.Request, artifacts: RolloutArtifactSource
    ) -> (
        plan: RolloutPlan, probes: [(host: String, answer: RolloutHostProbe.Answer)]
    ) {
        let answers = WorkerPool.map(resolved.monitored, parallel: request.options.parallel) {
            RolloutHostProbe.probe($0, remote: executor, effects: context.effects)
        }
        let probes = zip(resolved.targets.map(\.name), answers).map { (host: $0, answer: $1) }
        let plan = RolloutPlanner.plan(
            candidates: probes.map { RolloutCandidate(name: $0.host, answer: $0.answer) },
            target: target, canary: request.canary, batch: request.batch,
            includeUnreachable: parsed.has("include-unreachable"), kind: kind)
        if parsed.has("json") {
            let line = JSONWriter(style: .compact).string(.object(plan.json(dryRun: parsed.has("dry-run"))))
            context.stdout.write(line + "\n")
        } else if parsed.has("dry-run") {
            context.stdout.write(plan.text + buildLines(plan, artifacts: artifacts, parallel: request.options.parallel))
        } else {
            context.stderr.write(plan.text + buildLines(plan, artifacts: artifacts, parallel: request.options.parallel))
        }
        return (plan, probes)
    }

    /// One line per build the planned hosts get (`  build: agent-runner 7.1.0, sha256 HEX (PATH)`),
    /// or why a host's build could not be had (it then fails at its turn, as before). A build per
    /// architecture reads each host's `uname -m` first.
    func buildLines(_ plan: RolloutPlan, artifacts: RolloutArtifactSource, parallel: Int) -> String {
        let targets = plan.hosts.compactMap { name in resolved.monitored.first { $0.target.name == name }?.target }
        let results = WorkerPool.map(targets, parallel: parallel) { artifacts.artifact(for: $0) }
        var seen: Set<String> = []
        var lines = ""
        for (target, result) in zip(targets, results) {
            switch result {
            case .success(let build):
                guard seen.insert(build.path).inserted else { continue }
                lines += "  build: agent-runner \(build.version), sha256 \(build.sha256) (\(build.path))\n"
            case .failure(let error):
                lines += "  build for \(target.name): \(error.message)\n"
            }
        }
        return lines
    }

    /// The operator's consent to start (``RolloutConsent``): asked on a terminal unless `--yes`;
    /// without a terminal, given by `--yes` or an explicit SELECTOR, else refused with exit 64.
    /// Throws the verb's exit code when the rollout must not start; nothing was touched.
    func confirm(_ plan: RolloutPlan) throws(ExitFailure) {
        let question = TerminalQuestion()
        let decision = RolloutConsent.decide(
            yes: parsed.has("yes"), terminal: question.isTerminal, explicitSelector: explicitSelector)
        switch decision {
        case .proceed:
            return
        case .refuse:
            let usage = UsageError(
                "without a SELECTOR, \(verb) rolls out to every host (\(plan.hosts.count) planned above) and "
                    + "there is no terminal to confirm it: pass --yes, or name the hosts (fleetctl \(verb) all)",
                verb: verb)
            throw ExitFailure(code: runner.usageFailure(usage, context: context))
        case .ask:
            let hosts = "\(plan.hosts.count) host\(plan.hosts.count == 1 ? "" : "s")"
            let answer = question.ask(
                "fleetctl: start the \(noun) to \(plan.target) on \(hosts)? [y/N] ", on: context.stderr)
            guard RolloutConsent.accepts(answer) else {
                if answer == nil { context.stderr.write("\n") }
                context.stderr.write("fleetctl: \(noun) not started; no host was touched\n")
                throw ExitFailure(code: ExitCode.failure)
            }
        }
    }

    /// Writes the new journal under its lock (refused when another unfinished rollout holds one
    /// of its hosts), reports `started` with the command that resumes it, and runs it to its end:
    /// the finished journal, and the reporter for the verb's last words.
    func run(
        _ plan: RolloutPlan, probes: [(host: String, answer: RolloutHostProbe.Answer)], target: String,
        settings: RolloutJournal.Settings, artifacts: RolloutArtifactSource, options: RolloutRunner.Options
    ) throws(ExitFailure) -> (finished: RolloutJournal, reporter: RolloutReporter) {
        let stateDir = StateDirectory.resolve(
            flag: parsed.value("state-dir"), inventory: resolved.inventory.fleet.stateDir,
            environment: context.environment, home: context.home)
        let store = RolloutJournalStore(stateDirectory: stateDir)
        if let conflict = RolloutOwnership.conflict(for: plan.hosts, among: store.list()) {
            context.stderr.write("fleetctl: \(conflict)\n")
            throw ExitFailure(code: ExitCode.failure)
        }
        let now = context.effects.wallClock.now()
        var journal = RolloutJournal(
            id: store.newID(now: now), plan: plan, createdAt: EventTimestamp.format(now), settings: settings,
            before: probes)
        journal.kind = kind
        let runLock: FileLock
        do {
            runLock = try store.lock(journal.id)
            try store.save(journal)
            store.prune()
        } catch {
            context.stderr.write("fleetctl: \(error.message); pass --state-dir PATH\n")
            throw ExitFailure(code: ExitCode.failure)
        }
        defer { runLock.release() }
        let reporter = UpgradeCommand.makeReporter(parsed, context: context, stateDir: stateDir)
        let journalPath = store.path(journal.id)
        let started = RolloutStarted(
            rollout: journal.id, target: target,
            plan: .init(
                artifact: settings.artifact, stages: plan.stages.map(\.label), hosts: plan.hosts, journal: journalPath))
        reporter.step(
            "started", started,
            text: "\(noun) \(journal.id) started (journal \(journalPath); "
                + "resume with: fleetctl \(verb) --resume \(journal.id))")
        let rollout = RolloutRunner(
            journal: journal, hosts: resolved.monitored, remote: executor, effects: context.effects,
            store: store, reporter: reporter, artifacts: artifacts, options: options)
        return (rollout.run(), reporter)
    }
}
