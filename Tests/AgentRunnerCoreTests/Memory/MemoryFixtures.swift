// Recorded memory files for the memory-defense tests, kept as Swift strings because the test
// target declares no resources. "Host" files were captured on the build machine (Linux 6.18,
// 24 GiB, no swap, cgroup v1 memory controller in a hybrid hierarchy); the v1 cgroup files from
// a child cgroup of it with `memory.limit_in_bytes = 64 MiB` holding a 55 MiB python process,
// right after a first process in it had been OOM-killed (hence failcnt 72, oom_kill 1). The
// Raspberry Pi files are written from Raspberry Pi OS Bookworm (6.6, 512 MB board, 100 MB
// dphys swap, PSI built but off at boot, cgroup v2 only) as it lays them out.
enum MemoryFixtures {
    /// `/proc/meminfo` of the build machine.
    static let hostMeminfo = """
        MemTotal:       24683568 kB
        MemFree:        21010288 kB
        MemAvailable:   23735052 kB
        Buffers:           42560 kB
        Cached:          2763736 kB
        SwapCached:            0 kB
        Active:           865208 kB
        Inactive:        2306732 kB
        Active(anon):       1624 kB
        Inactive(anon):   373528 kB
        Active(file):     863584 kB
        Inactive(file):  1933204 kB
        Unevictable:       13916 kB
        Mlocked:           12832 kB
        SwapTotal:             0 kB
        SwapFree:              0 kB
        Zswap:                 0 kB
        Zswapped:              0 kB
        Dirty:             88048 kB
        Writeback:             0 kB
        AnonPages:        379580 kB
        Mapped:           424076 kB
        Shmem:              9508 kB
        KReclaimable:     229032 kB
        Slab:             263600 kB
        SReclaimable:     229032 kB
        SUnreclaim:        34568 kB
        KernelStack:        2688 kB
        PageTables:         7972 kB
        SecPageTables:         0 kB
        NFS_Unstable:          0 kB
        Bounce:                0 kB
        WritebackTmp:          0 kB
        CommitLimit:    12341784 kB
        Committed_AS:    1178164 kB
        VmallocTotal:   34359738367 kB
        VmallocUsed:       15484 kB
        VmallocChunk:          0 kB
        Percpu:              720 kB
        AnonHugePages:         0 kB
        ShmemHugePages:        0 kB
        ShmemPmdMapped:        0 kB
        FileHugePages:     26624 kB
        FilePmdMapped:      4096 kB
        Balloon:               0 kB
        HugePages_Total:       0
        HugePages_Free:        0
        HugePages_Rsvd:        0
        HugePages_Surp:        0
        Hugepagesize:       2048 kB
        Hugetlb:               0 kB
        DirectMap4k:       30720 kB
        DirectMap2M:     2066432 kB
        DirectMap1G:    25165824 kB
        """

    /// `/proc/vmstat` of the build machine (192 counters; `pswpout` at line 76, `oom_kill` at 125).
    static let hostVmstat = """
        nr_free_pages 841367
        nr_free_pages_blocks 817664
        nr_zone_inactive_anon 93382
        nr_zone_active_anon 406
        nr_zone_inactive_file 483301
        nr_zone_active_file 215896
        nr_zone_unevictable 3479
        nr_zone_write_pending 22012
        nr_mlock 3208
        nr_zspages 0
        nr_free_cma 0
        numa_hit 11464764
        numa_miss 0
        numa_foreign 0
        numa_interleave 1134
        numa_local 11464764
        numa_other 0
        nr_inactive_anon 93382
        nr_active_anon 406
        nr_inactive_file 483301
        nr_active_file 215896
        nr_unevictable 3479
        nr_slab_reclaimable 57258
        nr_slab_unreclaimable 8642
        nr_isolated_anon 0
        nr_isolated_file 0
        workingset_nodes 14241
        workingset_refault_anon 0
        workingset_refault_file 262387
        workingset_activate_anon 0
        workingset_activate_file 53555
        workingset_restore_anon 0
        workingset_restore_file 0
        workingset_nodereclaim 0
        nr_anon_pages 94895
        nr_mapped 106019
        nr_file_pages 701574
        nr_dirty 22012
        nr_writeback 0
        nr_shmem 2377
        nr_shmem_hugepages 0
        nr_shmem_pmdmapped 0
        nr_file_hugepages 13
        nr_file_pmdmapped 2
        nr_anon_transparent_hugepages 0
        nr_vmscan_write 0
        nr_vmscan_immediate_reclaim 8654
        nr_dirtied 1601019
        nr_written 1052604
        nr_throttled_written 0
        nr_kernel_misc_reclaimable 0
        nr_foll_pin_acquired 0
        nr_foll_pin_released 0
        nr_kernel_stack 2688
        nr_page_table_pages 2018
        nr_sec_page_table_pages 0
        nr_iommu_pages 0
        nr_swapcached 0
        pgpromote_success 0
        pgpromote_candidate 0
        pgpromote_candidate_nrl 0
        pgdemote_kswapd 0
        pgdemote_direct 0
        pgdemote_khugepaged 0
        pgdemote_proactive 0
        nr_hugetlb 0
        nr_balloon_pages 0
        nr_kernel_file_pages 0
        nr_dirty_threshold 1183471
        nr_dirty_background_threshold 591013
        nr_memmap_pages 0
        nr_memmap_boot_pages 98304
        pgpgin 2546621
        pgpgout 4262124
        pswpin 0
        pswpout 0
        pgalloc_dma 0
        pgalloc_dma32 0
        pgalloc_normal 13096315
        pgalloc_movable 0
        pgalloc_device 0
        allocstall_dma 0
        allocstall_dma32 0
        allocstall_normal 0
        allocstall_movable 0
        allocstall_device 0
        pgskip_dma 0
        pgskip_dma32 0
        pgskip_normal 0
        pgskip_movable 0
        pgskip_device 0
        pgfree 13983877
        pgactivate 603366
        pgdeactivate 0
        pglazyfree 0
        pgfault 13039723
        pgmajfault 2417
        pglazyfreed 0
        pgrefill 0
        pgreuse 1238811
        pgsteal_kswapd 0
        pgsteal_direct 0
        pgsteal_khugepaged 0
        pgsteal_proactive 0
        pgscan_kswapd 0
        pgscan_direct 0
        pgscan_khugepaged 0
        pgscan_proactive 0
        pgscan_direct_throttle 0
        pgscan_anon 0
        pgscan_file 0
        pgsteal_anon 0
        pgsteal_file 0
        zone_reclaim_success 0
        zone_reclaim_failed 0
        pginodesteal 0
        slabs_scanned 271
        kswapd_inodesteal 0
        kswapd_low_wmark_hit_quickly 0
        kswapd_high_wmark_hit_quickly 0
        pageoutrun 0
        pgrotated 7867
        drop_pagecache 1
        drop_slab 2
        oom_kill 1
        numa_pte_updates 0
        numa_huge_pte_updates 0
        numa_hint_faults 0
        numa_hint_faults_local 0
        numa_pages_migrated 0
        pgmigrate_success 0
        pgmigrate_fail 0
        thp_migration_success 0
        thp_migration_fail 0
        thp_migration_split 0
        compact_migrate_scanned 0
        compact_free_scanned 0
        compact_isolated 0
        compact_stall 0
        compact_fail 0
        compact_success 0
        compact_daemon_wake 0
        compact_daemon_migrate_scanned 0
        compact_daemon_free_scanned 0
        htlb_buddy_alloc_success 0
        htlb_buddy_alloc_fail 0
        unevictable_pgs_culled 24782
        unevictable_pgs_scanned 0
        unevictable_pgs_rescued 21303
        unevictable_pgs_mlocked 24660
        unevictable_pgs_munlocked 21452
        unevictable_pgs_cleared 0
        unevictable_pgs_stranded 0
        thp_fault_alloc 0
        thp_fault_fallback 0
        thp_fault_fallback_charge 0
        thp_collapse_alloc 0
        thp_collapse_alloc_failed 0
        thp_file_alloc 0
        thp_file_fallback 0
        thp_file_fallback_charge 0
        thp_file_mapped 40
        thp_split_page 0
        thp_split_page_failed 0
        thp_deferred_split_page 0
        thp_underused_split_page 0
        thp_split_pmd 0
        thp_scan_exceed_none_pte 0
        thp_scan_exceed_swap_pte 0
        thp_scan_exceed_share_pte 0
        thp_split_pud 0
        thp_zero_page_alloc 0
        thp_zero_page_alloc_failed 0
        thp_swpout 0
        thp_swpout_fallback 0
        balloon_inflate 0
        balloon_deflate 0
        balloon_migrate 0
        swap_ra 0
        swap_ra_hit 0
        swpin_zero 0
        swpout_zero 0
        ksm_swpin_copy 0
        cow_ksm 0
        zswpin 0
        zswpout 0
        zswpwb 0
        direct_map_level2_splits 5
        direct_map_level3_splits 0
        direct_map_level2_collapses 0
        direct_map_level3_collapses 0
        nr_unstable 0
        """

    /// `/proc/pressure/memory` of the build machine.
    static let hostPressure = """
        some avg10=0.00 avg60=0.00 avg300=0.00 total=0
        full avg10=0.00 avg60=0.00 avg300=0.00 total=0
        """

    /// `/proc/pressure/memory` of a host thrashing: full avg10 over the 60 critical threshold.
    static let stalledPressure = """
        some avg10=71.32 avg60=40.07 avg300=12.96 total=412398765
        full avg10=63.85 avg60=31.40 avg300=9.12 total=301876543
        """

    /// `/proc/meminfo` of a 512 MB Pi under pressure: 9 MiB free, 37 MiB available, swap nearly full.
    static let piMeminfoPressure = """
        MemTotal:         439644 kB
        MemFree:            9876 kB
        MemAvailable:      38212 kB
        Buffers:             512 kB
        Cached:            46188 kB
        SwapCached:        17960 kB
        Active:           214904 kB
        Inactive:         171436 kB
        Active(anon):     190328 kB
        Inactive(anon):   151956 kB
        Active(file):      24576 kB
        Inactive(file):    19480 kB
        Unevictable:          16 kB
        Mlocked:              16 kB
        SwapTotal:        102396 kB
        SwapFree:          11264 kB
        Zswap:                 0 kB
        Zswapped:              0 kB
        Dirty:               148 kB
        Writeback:             0 kB
        AnonPages:        339712 kB
        Mapped:            30604 kB
        Shmem:              2572 kB
        KReclaimable:      10196 kB
        Slab:              26640 kB
        SReclaimable:      10196 kB
        SUnreclaim:        16444 kB
        KernelStack:        2352 kB
        PageTables:         5304 kB
        SecPageTables:         0 kB
        NFS_Unstable:          0 kB
        Bounce:                0 kB
        WritebackTmp:          0 kB
        CommitLimit:      322216 kB
        Committed_AS:     873412 kB
        VmallocTotal:   259653632 kB
        VmallocUsed:       10036 kB
        VmallocChunk:          0 kB
        Percpu:              512 kB
        CmaTotal:          65536 kB
        CmaFree:            1024 kB
        """

    /// The same Pi idle.
    static let piMeminfoIdle = """
        MemTotal:         439644 kB
        MemFree:          201232 kB
        MemAvailable:     301468 kB
        Buffers:             512 kB
        Cached:            46188 kB
        SwapCached:        17960 kB
        Active:           214904 kB
        Inactive:         171436 kB
        Active(anon):     190328 kB
        Inactive(anon):   151956 kB
        Active(file):      24576 kB
        Inactive(file):    19480 kB
        Unevictable:          16 kB
        Mlocked:              16 kB
        SwapTotal:        102396 kB
        SwapFree:          98812 kB
        Zswap:                 0 kB
        Zswapped:              0 kB
        Dirty:               148 kB
        Writeback:             0 kB
        AnonPages:        339712 kB
        Mapped:            30604 kB
        Shmem:              2572 kB
        KReclaimable:      10196 kB
        Slab:              26640 kB
        SReclaimable:      10196 kB
        SUnreclaim:        16444 kB
        KernelStack:        2352 kB
        PageTables:         5304 kB
        SecPageTables:         0 kB
        NFS_Unstable:          0 kB
        Bounce:                0 kB
        WritebackTmp:          0 kB
        CommitLimit:      322216 kB
        Committed_AS:     873412 kB
        VmallocTotal:   259653632 kB
        VmallocUsed:       10036 kB
        VmallocChunk:          0 kB
        Percpu:              512 kB
        CmaTotal:          65536 kB
        CmaFree:            1024 kB
        """

    /// `/proc/vmstat` of the Pi at a tick (`pswpout 181234`, `oom_kill 2`).
    static let piVmstatBefore = """
        nr_free_pages 841367
        nr_free_pages_blocks 817664
        nr_zone_inactive_anon 93382
        nr_zone_active_anon 406
        nr_zone_inactive_file 483301
        nr_zone_active_file 215896
        nr_zone_unevictable 3479
        nr_zone_write_pending 22012
        nr_mlock 3208
        nr_zspages 0
        nr_free_cma 0
        numa_hit 11464764
        numa_miss 0
        numa_foreign 0
        numa_interleave 1134
        numa_local 11464764
        numa_other 0
        nr_inactive_anon 93382
        nr_active_anon 406
        nr_inactive_file 483301
        nr_active_file 215896
        nr_unevictable 3479
        nr_slab_reclaimable 57258
        nr_slab_unreclaimable 8642
        nr_isolated_anon 0
        nr_isolated_file 0
        workingset_nodes 14241
        workingset_refault_anon 0
        workingset_refault_file 262387
        workingset_activate_anon 0
        workingset_activate_file 53555
        workingset_restore_anon 0
        workingset_restore_file 0
        workingset_nodereclaim 0
        nr_anon_pages 94895
        nr_mapped 106019
        nr_file_pages 701574
        nr_dirty 22012
        nr_writeback 0
        nr_shmem 2377
        nr_shmem_hugepages 0
        nr_shmem_pmdmapped 0
        nr_file_hugepages 13
        nr_file_pmdmapped 2
        nr_anon_transparent_hugepages 0
        nr_vmscan_write 0
        nr_vmscan_immediate_reclaim 8654
        nr_dirtied 1601019
        nr_written 1052604
        nr_throttled_written 0
        nr_kernel_misc_reclaimable 0
        nr_foll_pin_acquired 0
        nr_foll_pin_released 0
        nr_kernel_stack 2688
        nr_page_table_pages 2018
        nr_sec_page_table_pages 0
        nr_iommu_pages 0
        nr_swapcached 0
        pgpromote_success 0
        pgpromote_candidate 0
        pgpromote_candidate_nrl 0
        pgdemote_kswapd 0
        pgdemote_direct 0
        pgdemote_khugepaged 0
        pgdemote_proactive 0
        nr_hugetlb 0
        nr_balloon_pages 0
        nr_kernel_file_pages 0
        nr_dirty_threshold 1183471
        nr_dirty_background_threshold 591013
        nr_memmap_pages 0
        nr_memmap_boot_pages 98304
        pgpgin 2546621
        pgpgout 4262124
        pswpin 90211
        pswpout 181234
        pgalloc_dma 0
        pgalloc_dma32 0
        pgalloc_normal 13096315
        pgalloc_movable 0
        pgalloc_device 0
        allocstall_dma 0
        allocstall_dma32 0
        allocstall_normal 0
        allocstall_movable 0
        allocstall_device 0
        pgskip_dma 0
        pgskip_dma32 0
        pgskip_normal 0
        pgskip_movable 0
        pgskip_device 0
        pgfree 13983877
        pgactivate 603366
        pgdeactivate 0
        pglazyfree 0
        pgfault 13039723
        pgmajfault 2417
        pglazyfreed 0
        pgrefill 0
        pgreuse 1238811
        pgsteal_kswapd 0
        pgsteal_direct 0
        pgsteal_khugepaged 0
        pgsteal_proactive 0
        pgscan_kswapd 0
        pgscan_direct 0
        pgscan_khugepaged 0
        pgscan_proactive 0
        pgscan_direct_throttle 0
        pgscan_anon 0
        pgscan_file 0
        pgsteal_anon 0
        pgsteal_file 0
        zone_reclaim_success 0
        zone_reclaim_failed 0
        pginodesteal 0
        slabs_scanned 271
        kswapd_inodesteal 0
        kswapd_low_wmark_hit_quickly 0
        kswapd_high_wmark_hit_quickly 0
        pageoutrun 0
        pgrotated 7867
        drop_pagecache 1
        drop_slab 2
        oom_kill 2
        numa_pte_updates 0
        numa_huge_pte_updates 0
        numa_hint_faults 0
        numa_hint_faults_local 0
        numa_pages_migrated 0
        pgmigrate_success 0
        pgmigrate_fail 0
        thp_migration_success 0
        thp_migration_fail 0
        thp_migration_split 0
        compact_migrate_scanned 0
        compact_free_scanned 0
        compact_isolated 0
        compact_stall 0
        compact_fail 0
        compact_success 0
        compact_daemon_wake 0
        compact_daemon_migrate_scanned 0
        compact_daemon_free_scanned 0
        htlb_buddy_alloc_success 0
        htlb_buddy_alloc_fail 0
        unevictable_pgs_culled 24782
        unevictable_pgs_scanned 0
        unevictable_pgs_rescued 21303
        unevictable_pgs_mlocked 24660
        unevictable_pgs_munlocked 21452
        unevictable_pgs_cleared 0
        unevictable_pgs_stranded 0
        thp_fault_alloc 0
        thp_fault_fallback 0
        thp_fault_fallback_charge 0
        thp_collapse_alloc 0
        thp_collapse_alloc_failed 0
        thp_file_alloc 0
        thp_file_fallback 0
        thp_file_fallback_charge 0
        thp_file_mapped 40
        thp_split_page 0
        thp_split_page_failed 0
        thp_deferred_split_page 0
        thp_underused_split_page 0
        thp_split_pmd 0
        thp_scan_exceed_none_pte 0
        thp_scan_exceed_swap_pte 0
        thp_scan_exceed_share_pte 0
        thp_split_pud 0
        thp_zero_page_alloc 0
        thp_zero_page_alloc_failed 0
        thp_swpout 0
        thp_swpout_fallback 0
        balloon_inflate 0
        balloon_deflate 0
        balloon_migrate 0
        swap_ra 0
        swap_ra_hit 0
        swpin_zero 0
        swpout_zero 0
        ksm_swpin_copy 0
        cow_ksm 0
        zswpin 0
        zswpout 0
        zswpwb 0
        direct_map_level2_splits 5
        direct_map_level3_splits 0
        direct_map_level2_collapses 0
        direct_map_level3_collapses 0
        nr_unstable 0
        """

    /// The next tick, 10 s later: 10,416 pages (40.7 MiB) swapped out, one more OOM kill.
    static let piVmstatAfter =
        piVmstatBefore
        .replacing("\npswpout 181234\n", with: "\npswpout 191650\n")
        .replacing("\noom_kill 2\n", with: "\noom_kill 3\n")

    /// cgroup v1 files of the 64 MiB test cgroup, by file name.
    static let v1Files: [String: String] = [
        "memory.usage_in_bytes": v1Usage,
        "memory.limit_in_bytes": v1Limit,
        "memory.max_usage_in_bytes": v1MaxUsage,
        "memory.oom_control": v1OOMControl,
        "memory.failcnt": v1FailCount,
        "memory.stat": v1Stat,
        "memory.memsw.limit_in_bytes": v1MemswLimit,
        "memory.memsw.usage_in_bytes": v1MemswUsage,
    ]

    /// `memory.usage_in_bytes` (cgroup v1).
    static let v1Usage = """
        57786368
        """

    /// `memory.limit_in_bytes` (cgroup v1).
    static let v1Limit = """
        67108864
        """

    /// `memory.max_usage_in_bytes` (cgroup v1).
    static let v1MaxUsage = """
        67108864
        """

    /// `memory.oom_control` (cgroup v1).
    static let v1OOMControl = """
        oom_kill_disable 0
        under_oom 0
        oom_kill 1
        """

    /// `memory.failcnt` (cgroup v1).
    static let v1FailCount = """
        72
        """

    /// `memory.stat` (cgroup v1).
    static let v1Stat = """
        cache 0
        rss 57364480
        rss_huge 0
        shmem 0
        mapped_file 0
        dirty 0
        writeback 0
        workingset_refault_anon 0
        workingset_refault_file 0
        swap 0
        swapcached 0
        pgpgin 36409
        pgpgout 22404
        pgfault 45618
        pgmajfault 0
        inactive_anon 57360384
        active_anon 4096
        inactive_file 0
        active_file 0
        unevictable 0
        hierarchical_memory_limit 67108864
        hierarchical_memsw_limit 9223372036854771712
        total_cache 0
        total_rss 57364480
        total_rss_huge 0
        total_shmem 0
        total_mapped_file 0
        total_dirty 0
        total_writeback 0
        total_workingset_refault_anon 0
        total_workingset_refault_file 0
        total_swap 0
        total_swapcached 0
        total_pgpgin 36409
        total_pgpgout 22404
        total_pgfault 45618
        total_pgmajfault 0
        total_inactive_anon 57360384
        total_active_anon 4096
        total_inactive_file 0
        total_active_file 0
        total_unevictable 0
        """

    /// `memory.memsw.limit_in_bytes` (cgroup v1).
    static let v1MemswLimit = """
        9223372036854771712
        """

    /// `memory.memsw.usage_in_bytes` (cgroup v1).
    static let v1MemswUsage = """
        57786368
        """

    /// `/proc/PID/cgroup` of the process in the test cgroup (hybrid host).
    static let v1ProcCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/8d0d9b8ec7646d9eb1266fbaba151406/ar-fixture
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """

    /// `/proc/self/mountinfo` of the build machine.
    static let v1Mountinfo = """
        22 27 0:21 / /proc rw,relatime - proc proc rw
        23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
        24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334096k,nr_inodes=3083524,mode=755
        25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683568k
        26 24 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
        27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
        28 27 0:25 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,size=4k,mode=755
        29 26 0:26 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
        30 25 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683568k
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """

    /// `/proc/self/cgroup` of serve as a systemd user service on the Pi (cgroup v2 only).
    static let piProcCgroup = """
        0::/user.slice/user-1000.slice/user@1000.service/app.slice/agent-runner@demo.service
        """

    /// `/proc/self/mountinfo` of the Pi.
    static let piMountinfo = """
        21 28 0:20 / /proc rw,relatime shared:12 - proc proc rw
        22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
        23 28 0:5 / /dev rw,relatime shared:8 - devtmpfs udev rw,size=84316k,nr_inodes=21079,mode=755
        24 23 0:22 / /dev/pts rw,nosuid,noexec,relatime shared:9 - devpts devpts rw,gid=5,mode=620,ptmxmode=000
        25 28 0:23 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=88032k,mode=755
        28 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw
        29 22 0:24 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:3 - securityfs securityfs rw
        30 23 0:25 / /dev/shm rw,nosuid,nodev shared:10 - tmpfs tmpfs rw
        31 25 0:26 / /run/lock rw,nosuid,nodev,noexec,relatime shared:6 - tmpfs tmpfs rw,size=5120k
        32 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        33 22 0:28 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:7 - pstore pstore rw
        34 22 0:29 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf rw,mode=700
        41 28 179:1 / /boot/firmware rw,relatime shared:19 - vfat /dev/mmcblk0p1 rw,fmask=0022,dmask=0022
        """

    /// cgroup v2 files of serve's unit on the Pi with `MemoryMax=384M`, `MemorySwapMax=64M`, after
    /// one OOM kill; no `memory.pressure` (PSI off at boot). By file name.
    static let piV2Files: [String: String] = [
        "memory.current": "187346944\n",
        "memory.max": "402653184\n",
        "memory.high": "max\n",
        "memory.peak": "398458880\n",
        "memory.swap.current": "52428800\n",
        "memory.swap.max": "67108864\n",
        "memory.events": "low 0\nhigh 0\nmax 214\noom 1\noom_kill 1\noom_group_kill 0\n",
    ]

    /// `memory.events` of a v2 cgroup that hit memory.high 17 times and was OOM-killed once.
    static let v2Events = """
        low 0
        high 17
        max 3
        oom 2
        oom_kill 1
        oom_group_kill 0
        """
}
