import AgentRunnerCore
import FleetCore

/// `agent-runner upgrade`: switch this host to another compiled build, safely.
enum UpgradeCommand {
    static let spec = VerbSpec(
        "upgrade", summary: "install a new build side by side, smoke it, switch the command on PATH, restart the service",
        discussion: """
            Builds live side by side in [upgrade] versions_dir (X.Y.Z/agent-runner); the command on
            PATH, [upgrade] bin_link, is a symlink switched atomically. --from reads the new build
            (- = standard input, as fleetctl pushes it over ssh); --sha256 is checked before anything
            else; the version is what the build's --version says (it must equal --target when given).
            With a running user unit or pid-file serve: graceful stop, smoke (--version, then the
            project check 'config --json' with the new build), switch, start, confirm it stays up;
            any failure switches back and starts the old build (service_upgrade_rolled_back; if that
            fails too, service_upgrade_rollback_failed, exit 2). Otherwise (system unit, nothing
            running, --no-restart, no config): smoke and switch only, then the restart command is
            printed (never run, never sudo): package_upgraded. The last keep_versions builds are
            kept; versions_dir/state.json records current and previous for --rollback. One upgrade
            at a time (versions_dir/upgrade.lock). An upgrade cut short (killed, host rebooted) is
            brought to an end by the next one first, from versions_dir/upgrade-in-progress.json:
            finished when bin_link already runs the new build and it passes again, else the old
            build restored (upgrade_recovered).
            """,
        options: [
            OptionSpec("from", value: "PATH|-", help: "The new build: a file, or - for standard input."),
            OptionSpec("sha256", value: "HEX", help: "Refuse the build unless its SHA-256 is HEX (checked before anything changes)."),
            OptionSpec("target", value: "X.Y.Z", help: "The version expected from --from; without --from, switch to this installed version."),
            OptionSpec("no-restart", help: "Smoke and switch only; restart the service yourself."),
            OptionSpec("rollback", help: "Switch back to the previous version (from state.json), restarting as above."),
        ],
        exitCodes: [
            (ExitCode.success, "upgraded (or already on that build, or --rollback undid an interrupted upgrade)"),
            (ExitCode.failure, "nothing changed (sha256 mismatch, not an agent-runner build, version not --target, stop failed, package smoke failed, another upgrade running), or the upgrade failed and the previous build runs again"),
            (2, "the rollback failed too, or an interrupted upgrade's old build could not be started again: the service is stopped (the message says what to run)"),
            (ExitCode.usage, "the command line is wrong"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        SessionLoss.outlive()
        let request: Upgrader.Request
        do {
            request = try parseRequest(parsed)
        } catch {
            return runner.usageFailure(error, context: context)
        }
        let config = loadOptionalConfig(parsed, context: context)
        let processRunner = PosixProcessRunner()
        var controller: ServiceController?
        var events: EventSink?
        if let config {
            do {
                let paths = try ServicePaths(config: config, environment: context.environment)
                controller = ServiceController(paths: paths, config: config, runner: processRunner, environment: context.environment,
                                               stderr: context.stderr, executable: RunningExecutable.path())
                Directories.create(config.runtime.logDir)
                events = EventSink(logDir: config.runtime.logDir, clock: SystemClock(), stderr: context.stderr)
            } catch {
                context.stderr.write("agent-runner: \(error.message); upgrading without touching the service\n")
            }
        }
        let settings = config?.upgrade ?? .defaults(home: context.home)
        let upgrader = Upgrader(
            store: VersionStore(config: settings),
            smoke: UpgradeSmoke(runner: processRunner, environment: context.environment, timeout: .seconds(settings.smokeTimeoutS)),
            config: controller == nil ? nil : config, controller: controller, events: events, stderr: context.stderr,
            selfExecutable: RunningExecutable.path())
        let outcome: Upgrader.Outcome
        do {
            outcome = try upgrader.run(request)
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            return error.exitCode
        }
        if parsed.has("json") {
            let object = JSONObject([
                ("outcome", .string(outcome.kind.rawValue)), ("path", .string(outcome.path.rawValue)),
                ("from_version", .string(outcome.fromVersion)), ("to_version", .string(outcome.toVersion)),
                ("bin_link", .string(settings.binLink)), ("exit_code", .int(Int64(outcome.exitCode))),
            ])
            context.stdout.write(JSONWriter(style: .pretty(indent: 2)).string(.object(object)) + "\n")
        }
        return outcome.exitCode
    }

    static func parseRequest(_ parsed: ParsedArguments) throws(UsageError) -> Upgrader.Request {
        let rollback = parsed.has("rollback")
        if rollback && (parsed.value("from") != nil || parsed.value("target") != nil || parsed.value("sha256") != nil) {
            throw UsageError("--rollback takes no --from, --target or --sha256 (it returns to the previous installed version)", verb: "upgrade")
        }
        if let target = parsed.value("target"), !VersionStore.isValidVersion(target) {
            throw UsageError("--target must be a version such as 0.1.13 (letters, digits, '.', '_', '+', '-'), got '\(target)'", verb: "upgrade")
        }
        if let hex = parsed.value("sha256") {
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
                throw UsageError("--sha256 must be 64 hex digits (sha256sum's output), got '\(hex)'", verb: "upgrade")
            }
            guard parsed.value("from") != nil else {
                throw UsageError("--sha256 verifies the build given with --from; add --from PATH|-", verb: "upgrade")
            }
        }
        if !rollback && parsed.value("from") == nil && parsed.value("target") == nil {
            throw UsageError("upgrade needs --from PATH|- (a new build), --target X.Y.Z (an installed version) or --rollback", verb: "upgrade")
        }
        let source = parsed.value("from").map { $0 == "-" ? Upgrader.Source.standardInput : .file($0) }
        return Upgrader.Request(target: parsed.value("target"), source: source, sha256: parsed.value("sha256"),
                                noRestart: parsed.has("no-restart"), rollback: rollback)
    }

    /// The config when there is one: an absent file means a package-only upgrade, a broken one
    /// is reported and also means package-only (the new build may be the fix).
    static func loadOptionalConfig(_ parsed: ParsedArguments, context: CommandContext) -> AgentRunnerConfig? {
        let path = AgentRunnerProgram.configPath(parsed, context: context)
        guard Directories.exists(ConfigPaths.absolute(path, against: context.currentDirectory)) else { return nil }
        do {
            return try AgentRunnerConfigLoader(environment: context.configEnvironment, fileSystem: context.fileSystem).load(path: path)
        } catch {
            context.stderr.write("agent-runner: \(error); proceeding with a package-only upgrade (no restart)\n")
            return nil
        }
    }
}
