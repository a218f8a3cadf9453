import FleetCore

extension AgentRunnerConfig {
    /// Every effective setting, in the order of the documentation.
    public func effective() -> EffectiveConfig {
        var settings: [EffectiveConfig.Setting] = []
        func add(_ section: String, _ key: String, _ value: JSONValue, origin: ConfigOrigin? = nil) {
            let dotted = section.isEmpty ? key : "\(section).\(key)"
            settings.append(
                .init(section: section, key: key, value: value, origin: origin ?? origins[dotted] ?? .defaultValue))
        }
        func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        func optional(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }

        add("", "config_path", .string(configPath), origin: .derived("--config"))
        add("", "schema_version", .int(Int64(schemaVersion)))
        add("", "project", .string(project))
        addAgent(agent, section: "agent", into: &settings)
        let timeoutOrigin = origins["runtime.round_budget_s"] ?? origins["runtime.round_timeout_s"]
        add("runtime", "work_dir", .string(runtime.workDir))
        add("runtime", "log_dir", .string(runtime.logDir))
        add("runtime", "round_budget_s", .int(Int64(runtime.roundTimeoutS)), origin: timeoutOrigin)
        add(
            "runtime", "restart_delay_s",
            runtime.restartDelayS == runtime.restartDelayS.rounded()
                ? .int(Int64(runtime.restartDelayS)) : .double(runtime.restartDelayS))
        add("runtime", "round_log_retention", .int(Int64(runtime.roundLogRetention)))
        add("runtime", "round_log_max_mb", .int(Int64(runtime.roundLogMaxMB)))
        add("runtime", "event_log_months", .int(Int64(runtime.eventLogMonths)))
        add("runtime", "narrative_file", .string(runtime.narrativeFile))
        add(
            "runtime", "transient_error_action", .string(runtime.transientErrorAction.rawValue),
            origin: origins["runtime.rate_limit_action"] ?? origins["runtime.transient_error_action"])
        add("runtime", "backoff_jitter_s", .int(Int64(runtime.backoffJitterS)))
        add("runtime", "max_rounds", optional(runtime.maxRounds))
        add("runtime", "stop_file", runtime.stopFile.map { .string($0) } ?? .null)
        add("runtime", "substrate_fingerprint_paths", strings(runtime.substrateFingerprintPaths))
        add("runtime", "fresh_eyes_every_n", optional(runtime.freshEyesEveryN))
        add("runtime", "dry_run", .bool(runtime.dryRun))
        add("runtime", "max_grace_after_result_s", .int(Int64(runtime.maxGraceAfterResultS)))
        add("runtime", "grace_kill_ignore_patterns", strings(runtime.graceKillIgnorePatterns))
        add("runtime", "disable_pre_round_hooks", .bool(runtime.disablePreRoundHooks))
        add("prompt", "files", strings(prompt.files), origin: origins["prompt.file"] ?? origins["prompt.files"])
        add("prompt", "inject_context", .bool(prompt.injectContext))
        add("prompt", "context_injection_mode", .string(prompt.contextInjectionMode.rawValue))
        add("prompt", "concat_separator", .string(prompt.concatSeparator))
        add("prompt", "strip_yaml_frontmatter", .bool(prompt.stripYAMLFrontmatter))
        add("phases", "list", strings(phases.list))
        add("phases", "phase_policy", .string(phases.policy.rawValue))
        for name in phases.list {
            guard let override = phases.overrides[name] else { continue }
            let section = "phases.\(name)"
            if let timeout = override.roundTimeoutS {
                add(
                    section, "round_budget_s", .int(Int64(timeout)),
                    origin: origins["\(section).round_budget_s"] ?? origins["\(section).round_timeout_s"]
                        ?? origins["\(section).runtime.round_budget_s"] ?? origins["\(section).runtime.round_timeout_s"]
                )
            }
            if let skip = override.disablePreRoundHooks {
                let key = "disable_pre_round_hooks"
                let origin = origins["\(section).\(key)"] ?? origins["\(section).runtime.\(key)"]
                add(section, key, .bool(skip), origin: origin)
            }
            if let files = override.promptFiles {
                add("\(section).prompt", "files", strings(files))
            }
            if let phaseAgent = override.agent {
                addAgent(phaseAgent, section: "\(section).agent", into: &settings)
            }
            if let schedule = override.schedule {
                addSchedule(schedule, section: "\(section).schedule", into: &settings)
            }
        }
        addSchedule(schedules.global, section: "schedule", into: &settings)
        add("vcs", "dirty_action", .string(vcs.dirtyAction.rawValue))
        add("vcs", "stash_idempotency_s", .int(Int64(vcs.stashIdempotencyS)))
        add("monitor", "auth_fail_patterns", strings(monitor.authFailPatterns))
        add("monitor", "auth_fail_hint", .string(monitor.authFailHint))
        add("monitor", "auto_stop_on", strings(monitor.autoStopOn))
        add("monitor", "remote_failure_tolerance_s", .int(Int64(monitor.remoteFailureToleranceS)))
        add("monitor", "anomaly_repetitive_window", .int(Int64(monitor.anomalyRepetitiveWindow)))
        add("monitor", "anomaly_repetitive_threshold", .int(Int64(monitor.anomalyRepetitiveThreshold)))
        add("monitor", "round_progress_interval_s", .int(Int64(monitor.roundProgressIntervalS)))
        add(
            "monitor", "supervisor_stale_threshold_s",
            optional(monitor.effectiveStaleThreshold(roundTimeoutS: runtime.roundTimeoutS) ?? 0),
            origin: monitor.supervisorStaleThresholdS == nil
                ? .derived("runtime.round_budget_s * 1.5") : origins["monitor.supervisor_stale_threshold_s"])
        let health = monitor.hostHealth
        let hh = "monitor.host_health"
        add("\(hh).disk", "warning_pct", .double(health.diskWarningPct))
        add("\(hh).disk", "critical_pct", .double(health.diskCriticalPct))
        add("\(hh).disk", "growth_window_s", .int(Int64(health.diskGrowthWindowS)))
        add("\(hh).disk", "disk_growth_pct_per_hr_warning", .double(health.diskGrowthPctPerHrWarning))
        add("\(hh).disk", "inode_growth_pct_per_hr_warning", .double(health.inodeGrowthPctPerHrWarning))
        add("\(hh).memory", "avail_min_mb", .int(Int64(health.memoryAvailMinMB)))
        add("\(hh).memory", "free_low_mb", .int(Int64(health.memoryFreeLowMB)))
        add("\(hh).memory", "swap_out_noise_floor_mb", .int(Int64(health.memorySwapOutNoiseFloorMB)))
        add("\(hh).pressure", "full_avg10_critical", .double(health.pressureFullAvg10Critical))
        add("\(hh).pressure", "some_avg10_warning", .double(health.pressureSomeAvg10Warning))
        add("\(hh).pressure", "critical_consecutive_samples", .int(Int64(health.pressureCriticalConsecutiveSamples)))
        add("\(hh).pressure", "in_round_terminate", .bool(health.pressureInRoundTerminate))
        add(
            "\(hh).pressure", "cgroup_growth_rate_warning_mb_per_min",
            .double(health.pressureCgroupGrowthRateWarningMBPerMin))
        add("\(hh).pressure", "in_round_nudge", .bool(health.pressureInRoundNudge))
        add("\(hh).brake", "memory_high", .bool(health.brakeMemoryHigh))
        add("\(hh).brake", "memory_high_step_pct", .int(Int64(health.brakeMemoryHighStepPct)))
        add("\(hh).brake", "warning_consecutive_samples", .int(Int64(health.brakeWarningConsecutiveSamples)))
        add("plugins", "disable", strings(plugins.disable))
        func hookList(_ hooks: [HookCommand]) -> JSONValue {
            .array(
                hooks.map { hook in
                    .object(
                        JSONObject([
                            ("name", .string(hook.name)), ("command", strings(hook.argv)),
                            ("timeout_s", .int(Int64(hook.timeoutS))),
                        ]))
                })
        }
        add("hooks", "serve_startup", hookList(hooks.serveStartup))
        add("hooks", "pre_round", hookList(hooks.preRound))
        add("hooks", "post_round", hookList(hooks.postRound))
        add("upgrade", "versions_dir", .string(upgrade.versionsDir))
        add("upgrade", "bin_link", .string(upgrade.binLink))
        add("upgrade", "keep_versions", .int(Int64(upgrade.keepVersions)))
        add("upgrade", "smoke_timeout_s", .int(Int64(upgrade.smokeTimeoutS)))
        add("upgrade", "source", upgrade.source.map { .string($0.text) } ?? .null)
        add("upgrade", "source_timeout_s", .int(Int64(upgrade.sourceTimeoutS)))
        return EffectiveConfig(settings: settings)
    }

    /// A schedule's zone (null: the host's) and windows as configured.
    private func addSchedule(_ schedule: Schedule, section: String, into settings: inout [EffectiveConfig.Setting]) {
        func add(_ key: String, _ value: JSONValue) {
            // A phase without its own timezone inherits [schedule]'s; windows are never inherited.
            let own = origins["\(section).\(key)"].flatMap { $0 == .defaultValue ? nil : $0 }
            let inherited = key == "timezone" ? origins["schedule.timezone"] : nil
            let origin = own ?? inherited ?? .defaultValue
            settings.append(.init(section: section, key: key, value: value, origin: origin))
        }
        add("timezone", schedule.timezone.map { .string($0) } ?? .null)
        add("run_windows", .array(schedule.runWindows.map { .string($0.label) }))
        add("pause_windows", .array(schedule.pauseWindows.map { .string($0.label) }))
    }

    private func addAgent(_ agent: Agent, section: String, into settings: inout [EffectiveConfig.Setting]) {
        func add(_ key: String, _ value: JSONValue) {
            let origin = origins["\(section).\(key)"] ?? origins["agent.\(key)"] ?? .defaultValue
            settings.append(.init(section: section, key: key, value: value, origin: origin))
        }
        add("command", .array(agent.command.map { .string($0) }))
        add("prompt_arg_template", .array(agent.promptArgTemplate.map { .string($0) }))
        add("name", agent.name.map { .string($0) } ?? .null)
        add("prompt_delivery", .string(agent.promptDelivery.rawValue))
        add("exec_prefix", .array(agent.execPrefix.map { .string($0) }))
        add("terminal_marker", .string(agent.terminalMarker))
        add("sigterm_grace_s", .int(Int64(agent.sigtermGraceS)))
        add("env", .object(JSONObject(agent.env.map { ($0.name, JSONValue.string($0.value)) })))
    }
}
