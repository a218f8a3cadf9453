import FleetCore

extension Inventory {
    /// The effective inventory as JSON: every host with its settings after the cascade.
    public func json() -> JSONValue {
        var root = JSONObject()
        root["inventory"] = .string(path)
        root["groups"] = .array(groups.map { .string($0) })
        root["hosts"] = .array(hosts.map { $0.json() })
        root["state_dir"] = fleet.stateDir.map { .string($0) } ?? .null
        root["auto_stop_max_per_10m"] = .int(Int64(fleet.autoStopMaxPer10Minutes))
        root["hooks"] = .array(
            hooks.map { hook in
                var object = JSONObject([
                    ("name", .string(hook.name)), ("command", .array(hook.command.map { .string($0) })),
                    ("on", .array(hook.on.map { .string($0.rawValue) })),
                    ("detectors", .array(hook.detectors.map { .string($0) })),
                    ("severities", .array(hook.severities.map { .string($0.rawValue) })),
                    ("min_severity", .string(hook.minSeverity.rawValue)),
                    ("hosts", .string(hook.hosts)), ("timeout_s", .int(Int64(hook.timeoutS))),
                ])
                if let url = hook.alertmanagerURL {
                    object["kind"] = "alertmanager"
                    object["url"] = .string(url)
                }
                return .object(object)
            })
        var upgradeObject = JSONObject()
        upgradeObject["artifact"] = upgrade.artifact.map { .string($0) } ?? .null
        upgradeObject["source"] = upgrade.source.map { .string($0.text) } ?? .null
        upgradeObject["canary"] = upgrade.canary.map { .string($0) } ?? .null
        upgradeObject["batch"] = .string(upgrade.batch)
        upgradeObject["bake_s"] = .double(upgrade.bakeS)
        upgradeObject["max_failures"] = .int(Int64(upgrade.maxFailures))
        root["upgrade"] = .object(upgradeObject)
        return .object(root)
    }

    /// A human summary: one block per host with the settings that differ from the defaults.
    public func text() -> String {
        var lines = [
            "inventory \(displayPath): \(hosts.count) host\(hosts.count == 1 ? "" : "s"), \(groups.count) group\(groups.count == 1 ? "" : "s"), \(hooks.count) hook\(hooks.count == 1 ? "" : "s")"
        ]
        lines.append(
            "state_dir = \(fleet.stateDir.map { fleet.stateDirIsDefault ? "\($0) (the default for this inventory file)" : $0 } ?? "(default: derived from the inventory file's path)"); auto-stop at most \(fleet.autoStopMaxPer10Minutes) host\(fleet.autoStopMaxPer10Minutes == 1 ? "" : "s") per 10 minutes"
        )
        let defaults = HostSettings()
        for host in hosts {
            lines.append("")
            lines.append(Inventory.tableHeader("hosts", host.name))
            lines.append("  ssh = \(host.sshTarget)")
            if !host.groups.isEmpty { lines.append("  groups = \(host.groups.joined(separator: ", "))") }
            if !host.tags.isEmpty { lines.append("  tags = \(host.tags.joined(separator: ", "))") }
            let settings = host.settings
            lines.append(
                "  config = \(settings.remoteConfig ?? "(agent-runner's default: ./agent-runner.toml in the login directory)")"
            )
            if let sshConfig = settings.sshConfig { lines.append("  ssh_config = \(sshConfig)") }
            if settings.agentRunner != defaults.agentRunner { lines.append("  agent_runner = \(settings.agentRunner)") }
            lines.append(
                "  poll = every \(HumanText.duration(seconds: settings.pollIntervalS)), timeout \(HumanText.duration(seconds: settings.pollTimeoutS)), connect timeout \(HumanText.duration(seconds: Double(settings.connectTimeoutS))), reuse \(settings.connectionReuse ? "on" : "off")"
            )
            lines.append("  remote_failure_tolerance_s = \(settings.remoteFailureToleranceS)")
            lines.append(
                "  auto_stop = \(settings.autoStop.enabled ? settings.autoStop.on.joined(separator: ", ") + " (confirm within \(HumanText.duration(seconds: settings.autoStop.confirmS)))" : "off")"
            )
            lines.append(
                "  alerts: fire \(settings.alertForS > 0 ? "after \(HumanText.duration(seconds: settings.alertForS))" : "at once"), repeat \(settings.alertRepeatS > 0 ? "every \(HumanText.duration(seconds: settings.alertRepeatS))" : "never")"
            )
            if settings.detectors != defaults.detectors {
                var parts: [String] = []
                let policy = settings.detectors
                if policy.diskWarningPct != defaults.detectors.diskWarningPct {
                    parts.append("disk_warning_pct=\(HumanText.number(policy.diskWarningPct))")
                }
                if policy.diskCriticalPct != defaults.detectors.diskCriticalPct {
                    parts.append("disk_critical_pct=\(HumanText.number(policy.diskCriticalPct))")
                }
                if let stale = policy.supervisorStaleThresholdS {
                    parts.append("supervisor_stale_threshold_s=\(stale)")
                }
                if policy.window != defaults.detectors.window { parts.append("window=\(policy.window)") }
                if policy.rateThreshold != defaults.detectors.rateThreshold {
                    parts.append("rate_threshold=\(HumanText.number(policy.rateThreshold))")
                }
                if policy.shortExitS != defaults.detectors.shortExitS {
                    parts.append("short_exit_s=\(HumanText.number(policy.shortExitS))")
                }
                if policy.hungFactor != defaults.detectors.hungFactor {
                    parts.append("hung_factor=\(HumanText.number(policy.hungFactor))")
                }
                if policy.orphanStreak != defaults.detectors.orphanStreak {
                    parts.append("orphan_streak=\(policy.orphanStreak)")
                }
                if !policy.disabled.isEmpty { parts.append("disabled=\(policy.disabled.joined(separator: ","))") }
                lines.append("  detectors: " + parts.joined(separator: " "))
            }
        }
        for hook in hooks {
            lines.append("")
            var filters = hook.on.map(\.rawValue).joined(separator: "+")
            if !hook.severities.isEmpty { filters += " " + hook.severities.map(\.rawValue).joined(separator: "+") }
            if !hook.detectors.isEmpty { filters += " of " + hook.detectors.joined(separator: ",") }
            lines.append(
                "hook \(hook.name): on \(filters) >= \(hook.minSeverity.rawValue) for \(hook.hosts), timeout \(hook.timeoutS)s: \(hook.alertmanagerURL.map { "alertmanager \($0)" } ?? hook.command.joined(separator: " "))"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Inventory.Host {
    /// One host as JSON with its effective settings.
    public func json() -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        object["ssh"] = .string(sshTarget)
        object["groups"] = .array(groups.map { .string($0) })
        object["tags"] = .array(tags.map { .string($0) })
        object["ssh_config"] = settings.sshConfig.map { .string($0) } ?? .null
        object["config"] = settings.remoteConfig.map { .string($0) } ?? .null
        object["agent_runner"] = .string(settings.agentRunner)
        object["poll_interval_s"] = .double(settings.pollIntervalS)
        object["poll_timeout_s"] = .double(settings.pollTimeoutS)
        object["connect_timeout_s"] = .int(Int64(settings.connectTimeoutS))
        object["remote_failure_tolerance_s"] = .int(Int64(settings.remoteFailureToleranceS))
        object["connection_reuse"] = .bool(settings.connectionReuse)
        object["alert_for_s"] = .double(settings.alertForS)
        object["alert_repeat_s"] = .double(settings.alertRepeatS)
        let policy = settings.detectors
        object["detectors"] = .object(
            JSONObject([
                ("disk_warning_pct", .double(policy.diskWarningPct)),
                ("disk_critical_pct", .double(policy.diskCriticalPct)),
                ("supervisor_stale_threshold_s", policy.supervisorStaleThresholdS.map { .int(Int64($0)) } ?? .null),
                ("window", .int(Int64(policy.window))), ("rate_threshold", .double(policy.rateThreshold)),
                ("short_exit_s", .double(policy.shortExitS)), ("hung_factor", .double(policy.hungFactor)),
                ("orphan_streak", .int(Int64(policy.orphanStreak))),
                ("disabled", .array(policy.disabled.map { .string($0) })),
            ]))
        object["auto_stop"] = .object(
            JSONObject([
                ("enabled", .bool(settings.autoStop.enabled)), ("on", .array(settings.autoStop.on.map { .string($0) })),
                ("confirm_s", .double(settings.autoStop.confirmS)),
            ]))
        return .object(object)
    }
}
