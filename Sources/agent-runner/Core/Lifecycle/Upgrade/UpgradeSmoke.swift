import FleetCore

/// What a new build must pass before it runs the service: it reports the expected version, and
/// it loads this project's config and answers the project command the fleet's health checks use.
/// The builds run through `effects.processes`, each with a deadline on `effects.clock`.
public struct UpgradeSmoke: Sendable {
    let effects: Effects
    let environment: [String: String]
    let timeout: Duration

    public init(effects: Effects, environment: [String: String], timeout: Duration) {
        self.effects = effects
        self.environment = environment
        self.timeout = timeout
    }

    /// The project check run with the new binary: `peek --json`, the document fleetctl's health
    /// gate reads; it loads and validates the whole config and reads the project's state with
    /// the new code, which is the part that breaks.
    public static func projectCheckArguments(configPath: String) -> [String] {
        ["--config", configPath, "peek", "--json"]
    }

    /// The version `binary --version` reports (`agent-runner X.Y.Z`).
    public func version(of binary: String) throws(LifecycleError) -> String {
        let output = try run(binary, ["--version"])
        guard output.exit.isSuccess else {
            throw LifecycleError("\(binary) --version failed (\(output.exit))\(Self.said(output))")
        }
        let words = output.stdoutText.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        if words.count >= 2, words[0] == "agent-runner", let problem = VersionStore.versionProblem(String(words[1])) {
            throw LifecycleError(
                "\(binary) --version reports version \(TOMLFieldReader.quote(String(words[1]))), which cannot "
                    + "name a build: \(problem); refusing the build")
        }
        guard words.count >= 2, words[0] == "agent-runner", VersionStore.isValidVersion(String(words[1])) else {
            throw LifecycleError(
                "\(binary) --version printed \(TOMLFieldReader.quote(output.stdoutText)), "
                    + "not 'agent-runner X.Y.Z'; is it an agent-runner build?")
        }
        return String(words[1])
    }

    /// Runs the project check; throws with what the new binary said.
    public func checkProject(binary: String, configPath: String) throws(LifecycleError) {
        let arguments = Self.projectCheckArguments(configPath: configPath)
        let output = try run(binary, arguments)
        guard output.exit.isSuccess else {
            let command = "\(ConfigPaths.basename(binary)) \(arguments.joined(separator: " "))"
            throw LifecycleError("'\(command)' failed (\(output.exit))\(Self.said(output))")
        }
    }

    /// `binary --version` equals `expected`, and the project check passes (when there is a config).
    public func check(binary: String, expected: String, configPath: String?) throws(LifecycleError) {
        let reported = try version(of: binary)
        guard reported == expected else {
            throw LifecycleError("\(binary) --version reports \(reported), expected \(expected)")
        }
        if let configPath { try checkProject(binary: binary, configPath: configPath) }
    }

    private func run(_ binary: String, _ arguments: [String]) throws(LifecycleError) -> ProcessOutput {
        var env = environment
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        let output: ProcessOutput
        do {
            output = try effects.processes.run(
                ProcessRequest(
                    binary, arguments: arguments, environment: env, deadline: effects.clock.now + timeout,
                    terminationGrace: .seconds(1)))
        } catch {
            throw LifecycleError("cannot run \(binary): \(error)")
        }
        if output.timedOut {
            throw LifecycleError(
                "\(binary) \(arguments.joined(separator: " ")) did not finish within "
                    + "\(timeout.components.seconds) s ([upgrade] smoke_timeout_s)")
        }
        return output
    }

    static func said(_ output: ProcessOutput) -> String {
        let text = (output.stderrText + output.stdoutText).trimmedLines
        return text.isEmpty ? "" : ": " + UTF8Clip.prefix(text, maxScalars: 300, maxBytes: 1200)
    }
}
