import FleetCore

/// Every event the supervisor and its rounds write, for docs/events.md and its drift test.
public enum AgentRunnerEvents {
    public static let all: [any TypedEvent.Type] = [
        // Serve (ServeEvents.swift).
        ServeStarted.self, ServeStopped.self, AgentSelfTerminated.self, StopFileDetected.self, MaxRoundsReached.self,
        ConfigBroken.self, CrashLoop.self, StaleAgentKilled.self, RoundLogsPruneDeferred.self,
        // Round (RoundEvents.swift).
        SmokeCheckFailed.self, StatusRecovered.self, RoundSubstrateBefore.self, RoundStart.self,
        FreshEyesRoundTriggered.self, AgentSpawn.self, RoundGraceExtended.self, RoundProgress.self, AgentExited.self,
        AgentNetworkBlip.self, RoundGraceKill.self, RoundTimeoutKill.self, RoundEnd.self, RoundSubstrateAfter.self,
        // Transcript analysis (TranscriptEvents.swift).
        AgentUsageRecorded.self, AnomalyRepetitiveTool.self, AgentAuthErrorDetected.self,
        // Throttle (ThrottleEvents.swift).
        TransientErrorDetected.self, TransientErrorBackoffCapped.self, TransientErrorRecovered.self,
        // Dirty tree (DirtyTreeEvents.swift).
        DirtyCheckFailed.self, DirtyDetected.self, OrphanStashed.self, OrphanIdempotentSkip.self,
        OrphanStashFailed.self, DirtyAutoCommitted.self, DirtyCommitFailed.self,
        // Hooks (HookEvents.swift).
        HookFailed.self, ServeStartupHookFailed.self, PromptOverwritten.self,
        // Memory defenses (MemoryEvents.swift).
        HostCgroupMemoryLimit.self, RoundDeferred.self, RoundResumed.self, RoundMemCriticalSample.self,
        RoundMemTerminated.self, MemPressureDeferredToCgroup.self, CgroupGrowthRateWarning.self,
        MemoryHighEngaged.self, MemoryHighReleased.self, MemoryHighWriteFailed.self, RoundCgroupMemory.self,
        RoundOomKilled.self, MemLoop.self, MemLoopPersistent.self,
        // Schedule (ScheduleEvents.swift).
        SchedulePaused.self, ScheduleResumed.self, SchedulePhaseSkipped.self,
    ]
}
