import FleetCore

/// The effective `agent-runner.toml`: every key with its default filled in and every path
/// resolved, plus where each value came from.
///
/// Built only by ``AgentRunnerConfigLoader``; a value of this type is always valid, so the
/// supervisor never has to re-check a field at 3 a.m. in the middle of a round.
public struct AgentRunnerConfig: Sendable {
    /// The config file, absolute (symlinks not resolved: it is the path the operator gave).
    public var configPath: String
    /// The file name as the operator typed it, used in messages.
    public var displayPath: String
    public var schemaVersion: Int
    /// Basename of the resolved work_dir (or `default`): names units, log folders and peek output.
    public var project: String
    public var agent: Agent
    public var runtime: Runtime
    public var prompt: Prompt
    public var phases: Phases
    /// `[schedule]` and `[phases.NAME.schedule]`: when serve may start rounds, and which phase.
    public var schedules: PhaseSchedules
    public var vcs: VCS
    public var monitor: Monitor
    public var plugins: Plugins
    public var hooks: Hooks
    public var upgrade: Upgrade
    /// Dotted key → where its value came from.
    public var origins: [String: ConfigOrigin]
    /// Old spellings the file uses (and `[plugins] disable` entries that disable nothing), for
    /// the one-line warnings on stderr and `doctor`; empty for a current file.
    public var warnings: [ConfigWarning] = []

    /// How the prompt reaches the agent.
    public enum PromptDelivery: String, Sendable, CaseIterable { case argv, stdin }

    /// `[agent]`: what to run each round.
    public struct Agent: Sendable, Equatable {
        public var command: [String]
        /// Appended after `command`; `{prompt}` is replaced by the assembled prompt (argv delivery).
        public var promptArgTemplate: [String]
        public var name: String?
        /// `[agent.env]`, merged over the supervisor's environment, in file order.
        public var env: [EnvironmentEntry]
        public var promptDelivery: PromptDelivery
        /// Prepended to `command` with `{work_dir}` substituted (e.g. a container wrapper).
        public var execPrefix: [String]
        /// Byte string that marks the agent's final result; starts the grace-kill window. Empty = off.
        public var terminalMarker: String
        /// Seconds between the cooperative stop signal and SIGKILL, at most 12.
        public var sigtermGraceS: Int

        /// Basename of the agent executable: the identity used for throttle state and metrics.
        public var binary: String {
            let first = command.first ?? ""
            return first.split(separator: "/").last.map(String.init) ?? first
        }
    }

    /// One `[agent.env]` entry.
    public struct EnvironmentEntry: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// What to do while the agent's provider says "slow down".
    public enum TransientErrorAction: String, Sendable, CaseIterable {
        case backOff = "back_off"
        case skip, stop
    }

    /// `[runtime]`: the supervisor loop.
    public struct Runtime: Sendable, Equatable {
        public var workDir: String
        public var logDir: String
        /// Hard wall per round (`round_budget_s`; `round_timeout_s` is its 0.2.x name).
        public var roundTimeoutS: Int
        /// Seconds between rounds (fractions allowed); doubled after a failure, escalating in a crash streak.
        public var restartDelayS: Double
        /// Rounds whose logs are kept, the running one included; 0 = no count limit.
        public var roundLogRetention: Int
        /// The most the finished rounds' logs may take, in MiB (`round_log_max_mb`); 0 = no byte budget.
        public var roundLogMaxMB: Int
        /// Months of `events-*.jsonl` and `metrics-*.jsonl` kept, the current one included; 0 keeps all.
        public var eventLogMonths: Int
        public var narrativeFile: String
        public var transientErrorAction: TransientErrorAction
        /// Upper bound of the random delay added after a throttle's reset (the lower bound is
        /// min(5, this)), so a fleet does not hit the provider in step. 0 = no jitter.
        public var backoffJitterS: Int
        public var maxRounds: Int?
        public var stopFile: String?
        public var substrateFingerprintPaths: [String]
        public var freshEyesEveryN: Int?
        public var dryRun: Bool
        /// Seconds to wait after the terminal marker before a grace kill; 0 = off.
        public var maxGraceAfterResultS: Int
        public var graceKillIgnorePatterns: [String]
        /// 0.2.x `disable_pre_round_hooks`: skip `[hooks] pre_round` (only loads when there are some).
        public var disablePreRoundHooks: Bool
    }

    public enum ContextInjectionMode: String, Sendable, CaseIterable { case prepend, file, none }

    /// `[prompt]`: how each round's prompt is assembled.
    public struct Prompt: Sendable, Equatable {
        /// Resolved prompt files, concatenated in order (`file` becomes a one-element list).
        public var files: [String]
        public var injectContext: Bool
        public var contextInjectionMode: ContextInjectionMode
        public var concatSeparator: String
        public var stripYAMLFrontmatter: Bool
    }

    public enum PhasePolicy: String, Sendable, CaseIterable { case wait, skip }

    /// `[phases]`: rotation of prompts (and optionally agents) round after round.
    public struct Phases: Sendable, Equatable {
        /// Round N runs phase `list[(N-1) % list.count]`; empty means no rotation.
        public var list: [String]
        public var policy: PhasePolicy
        /// Per-phase overrides by phase name.
        public var overrides: [String: PhaseOverride]

        /// The phase of round `round` (1-based), or nil without rotation.
        public func phase(forRound round: Int) -> String? {
            guard !list.isEmpty, round >= 1 else { return nil }
            return list[(round - 1) % list.count]
        }
    }

    /// `[phases.NAME]`.
    public struct PhaseOverride: Sendable, Equatable {
        public var roundTimeoutS: Int?
        /// 0.2.x per-phase `disable_pre_round_hooks`; nil inherits `[runtime]`'s.
        public var disablePreRoundHooks: Bool? = nil
        /// Resolved prompt files; may be empty (the phase runs with no prompt).
        public var promptFiles: [String]?
        /// The base `[agent]` with this phase's `[phases.NAME.agent]` fields merged on top.
        public var agent: Agent?
        /// `[phases.NAME.schedule]`: replaces `[schedule]` for this phase.
        public var schedule: Schedule?
    }

    public enum DirtyAction: String, Sendable, CaseIterable {
        case stash, ignore
        case autoCommit = "auto_commit"
    }

    /// `[vcs]`: what happens to uncommitted work a round leaves behind.
    public struct VCS: Sendable, Equatable {
        public var dirtyAction: DirtyAction
        public var stashIdempotencyS: Int
    }

    /// `[monitor]`: detector settings on this host.
    public struct Monitor: Sendable, Equatable {
        public var authFailPatterns: [String]
        public var authFailHint: String
        public var autoStopOn: [String]
        public var remoteFailureToleranceS: Int
        public var anomalyRepetitiveWindow: Int
        public var anomalyRepetitiveThreshold: Int
        public var roundProgressIntervalS: Int
        /// nil = derived (`round_timeout_s * 1.5`); 0 = detector off.
        public var supervisorStaleThresholdS: Int?
        public var hostHealth: HostHealth

        /// The supervisor_stale threshold in force, or nil when the detector is disabled.
        public func effectiveStaleThreshold(roundTimeoutS: Int) -> Int? {
            switch supervisorStaleThresholdS {
            case .none: return roundTimeoutS * 3 / 2
            case .some(0): return nil
            case .some(let value): return value
            }
        }
    }

    /// `[monitor.host_health.*]` thresholds.
    public struct HostHealth: Sendable, Equatable {
        public var diskWarningPct: Double = 90
        public var diskCriticalPct: Double = 95
        public var diskGrowthWindowS: Int = 1800
        public var diskGrowthPctPerHrWarning: Double = 5
        public var inodeGrowthPctPerHrWarning: Double = 5
        public var memoryAvailMinMB: Int = 200
        public var memoryFreeLowMB: Int = 16
        public var memorySwapOutNoiseFloorMB: Int = 32
        public var pressureFullAvg10Critical: Double = 60
        public var pressureSomeAvg10Warning: Double = 5
        public var pressureCriticalConsecutiveSamples: Int = 3
        public var pressureInRoundTerminate: Bool = true
        public var pressureCgroupGrowthRateWarningMBPerMin: Double = 512
        public var pressureInRoundNudge: Bool = false
        public var brakeMemoryHigh: Bool = false
        public var brakeMemoryHighStepPct: Int = 0
        public var brakeWarningConsecutiveSamples: Int = 3
        public init() {}
    }

    /// `[plugins]`: built-in components switched off by name.
    public struct Plugins: Sendable, Equatable {
        public var disable: [String]
    }

    /// One hook: a command run at a point of the supervisor's life.
    public struct HookCommand: Sendable, Equatable {
        /// Name used by `[plugins] disable` and in events; defaults to the basename of argv[0].
        public var name: String
        public var argv: [String]
        public var timeoutS: Int
    }

    /// `[hooks]`: commands the supervisor runs (the original's Python plugins become commands).
    public struct Hooks: Sendable, Equatable {
        public var serveStartup: [HookCommand]
        public var preRound: [HookCommand]
        public var postRound: [HookCommand]
    }

    /// `[upgrade]`: where `agent-runner upgrade` keeps versions side by side.
    public struct Upgrade: Sendable, Equatable {
        public static let defaultVersionsDir = "~/.local/lib/agent-runner/versions"
        public static let defaultBinLink = "~/.local/bin/agent-runner"
        public static let defaultKeepVersions = 3
        public static let defaultSmokeTimeoutS = 30

        /// The defaults, for an upgrade run without a config file.
        public static func defaults(home: String) -> Upgrade {
            Upgrade(
                versionsDir: ConfigPaths.expandUser(defaultVersionsDir, home: home),
                binLink: ConfigPaths.expandUser(defaultBinLink, home: home),
                keepVersions: defaultKeepVersions, smokeTimeoutS: defaultSmokeTimeoutS)
        }

        public var versionsDir: String
        /// The symlink on PATH that is switched atomically between versions.
        public var binLink: String
        public var keepVersions: Int
        public var smokeTimeoutS: Int
        /// Where published builds are (a directory or an http:// URL, beside a SHA256SUMS):
        /// `agent-runner upgrade` without --from installs the latest listed, or `--target`'s.
        /// Validated at load, so a typo is a config error with its line, not a failed upgrade.
        public var source: ReleaseTemplate? = nil
        /// Deadline of each network step of a download from `source` (connect, each receive).
        public var sourceTimeoutS: Int = defaultSourceTimeoutS
        public static let defaultSourceTimeoutS = 30
    }

    /// The round timeout in force for a phase (its override, else the base value).
    public func roundTimeout(forPhase phase: String?) -> Int {
        phase.flatMap { phases.overrides[$0]?.roundTimeoutS } ?? runtime.roundTimeoutS
    }

    /// Whether the `[hooks] pre_round` commands are skipped in rounds of `phase`: the phase's
    /// 0.2.x `disable_pre_round_hooks`, else `[runtime]`'s.
    public func preRoundHooksDisabled(forPhase phase: String?) -> Bool {
        phase.flatMap { phases.overrides[$0]?.disablePreRoundHooks } ?? runtime.disablePreRoundHooks
    }

    /// The pre-round hooks not switched off by `[plugins] disable`.
    public var activePreRoundHooks: [HookCommand] {
        hooks.preRound.filter { !plugins.disable.contains($0.name) }
    }

    /// The agent in force for a phase.
    public func agent(forPhase phase: String?) -> Agent {
        phase.flatMap { phases.overrides[$0]?.agent } ?? agent
    }

    /// The prompt files in force for a phase.
    public func promptFiles(forPhase phase: String?) -> [String] {
        phase.flatMap { phases.overrides[$0]?.promptFiles } ?? prompt.files
    }
}

extension AgentRunnerConfig.Runtime {
    /// `round_log_max_mb`'s default: 256 MiB, about 2 % of a 16 GB SD card (docs/configuration.md).
    public static let defaultRoundLogMaxMB = 256

    /// The round-log budgets as serve applies them before each round.
    public var roundLogRetentionBeforeRound: RoundLogRetention {
        RoundLogRetention(keepRounds: roundLogRetention, maxBytes: Int64(roundLogMaxMB) << 20, makingRoom: true)
    }
}
