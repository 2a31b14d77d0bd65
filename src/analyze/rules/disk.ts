// Block devices: formatting, overwriting, wiping, repartitioning.
import type { Rule } from './types.ts';
import { hasLong, hasShort, opts, sub, subIn, writeTargets } from './helpers.ts';

/** Whole disks and partitions on Linux and macOS, plus device-mapper and md/loop devices. */
export const BLOCK_DEVICE =
  /^\/dev\/(sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+n\d+(p\d+)?|mmcblk\d+(p\d+)?|dm-\d+|md\d+|loop\d+|disk\d+(s\d+)?|rdisk\d+(s\d+)?|mapper\/.+|sr\d+|nbd\d+|zd\d+|disk\/by-[^/]+\/.+|root)$/;

const MKFS = [
  'mkfs', 'mke2fs', 'mkswap', 'mkdosfs', 'mkntfs', 'newfs', 'newfs_msdos', 'newfs_apfs', 'newfs_hfs',
  ...['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'fat', 'msdos', 'ntfs', 'exfat', 'f2fs', 'minix', 'bfs', 'cramfs', 'jfs', 'reiserfs', 'hfsplus', 'udf', 'zfs', 'nilfs2'].map((t) => `mkfs.${t}`),
];

const devArgs = (argv: readonly string[]): string | undefined => argv.slice(1).find((a) => BLOCK_DEVICE.test(a));

export const diskRules: Rule[] = [
  {
    id: 'disk.mkfs',
    group: 'disk',
    risk: 'critical',
    commands: MKFS,
    message: 'formats a block device',
    why: 'everything on the device is destroyed',
    match: (i) => (/^(mkfs(\..+)?|mke2fs|mkswap|mkdosfs|mkntfs|newfs(_.+)?|mkfs\.\w+)$/.test(i.fact.name) ? (devArgs(i.fact.argv) ?? false) : false),
    examples: { match: ['mkfs /dev/sdc', 'mkfs.vfat /dev/sdb1', 'sudo mkfs.ext4 -F /dev/nvme0n1p2', 'mkswap /dev/sda2'], noMatch: ['mkfs.ext4 disk.img', 'echo mkfs /dev/sda'] },
  },
  {
    id: 'disk.mkfs-file',
    group: 'disk',
    risk: 'medium',
    commands: MKFS,
    message: 'creates a filesystem',
    why: 'overwrites the target file or device',
    match: (i) => /^(mkfs(\..+)?|mke2fs|mkswap)$/.test(i.fact.name),
    examples: { match: ['mkfs.ext4 disk.img'], noMatch: ['ls /dev'] },
  },
  {
    id: 'disk.overwrite-device',
    group: 'disk',
    risk: 'critical',
    message: 'writes raw data onto a block device',
    why: 'overwrites the partition table and filesystems on the disk',
    match: (i) => writeTargets(i.fact).find((t) => BLOCK_DEVICE.test(t)) ?? false,
    examples: {
      match: ['dd if=/dev/random of=/dev/sdb', 'dd of=/dev/nvme0n1 if=disk.img', 'cat /dev/urandom > /dev/sdb', '> /dev/sda', 'cp image.iso /dev/sdc', 'echo x | sudo tee /dev/sda'],
      noMatch: ['dd if=/dev/zero of=/tmp/file bs=1M count=100', 'dd if=/dev/sda of=backup.img', 'echo hi > /dev/null'],
    },
  },
  {
    id: 'disk.wipe',
    group: 'disk',
    risk: 'critical',
    commands: ['wipefs', 'shred', 'blkdiscard', 'hdparm', 'nvme', 'sg_format', 'dcfldd', 'badblocks'],
    message: 'wipes a block device',
    why: 'signatures, data or the whole device are erased',
    match: (i) => {
      const f = i.fact;
      if (f.name === 'hdparm' && !f.argv.some((a) => /^--(security-erase|trim-sector|sanitize)/.test(a))) return false;
      if (f.name === 'nvme' && !/^(format|sanitize)$/.test(sub(f))) return false;
      if (f.name === 'badblocks' && !hasShort(f, 'w')) return false;
      if (f.name === 'wipefs' && !(hasShort(f, 'a') || hasLong(f, '--all') || f.argv.some((a) => a.startsWith('-o') || a.startsWith('--offset')))) return devArgs(f.argv) ?? false;
      return devArgs(f.argv) ?? false;
    },
    examples: { match: ['wipefs --all /dev/nvme1n1', 'shred /dev/sdb', 'blkdiscard /dev/nvme0n1', 'sudo wipefs -a /dev/sda'], noMatch: ['shred secret.txt', 'wipefs /tmp/x'] },
  },
  {
    id: 'disk.partition',
    group: 'disk',
    risk: 'critical',
    commands: ['fdisk', 'sfdisk', 'gdisk', 'sgdisk', 'parted', 'cfdisk', 'diskutil', 'gpart'],
    message: 'rewrites the partition table of a disk',
    why: 'a wrong partition table makes every filesystem on the disk unreachable',
    match: (i) => {
      const f = i.fact;
      const dev = devArgs(f.argv);
      const o = opts(f);
      if (f.name === 'diskutil') return subIn(f, /^(eraseDisk|eraseVolume|partitionDisk|zeroDisk|randomDisk|secureErase|apfs)$/);
      if (!dev) return false;
      if (f.name === 'fdisk' || f.name === 'gdisk' || f.name === 'cfdisk') return hasShort(f, 'l') || hasLong(f, '--list') ? false : dev;
      if (f.name === 'sfdisk') return hasShort(f, 'l', 'd', 'V') || hasLong(f, '--list', '--dump', '--verify', '--json') ? false : dev;
      if (f.name === 'sgdisk') return hasShort(f, 'Z', 'z', 'o', 'n', 'd', 'N', 'g', 'G', 't', 'c') || hasLong(f, '--zap-all', '--zap', '--clear', '--new', '--delete', '--largest-new') ? dev : false;
      if (f.name === 'parted') return o.operands.some((a) => /^(mklabel|mkpart|rm|resizepart|mkfs|rescue|name|set|toggle|disk_set)$/.test(a)) ? dev : false;
      return false;
    },
    examples: { match: ['sgdisk --zap-all /dev/sda', 'parted /dev/sdb mklabel gpt', 'sfdisk /dev/sda < layout', 'fdisk /dev/sdb'], noMatch: ['fdisk -l', 'parted /dev/sda print', 'sfdisk -l /dev/sda'] },
  },
  {
    id: 'disk.volumes',
    group: 'disk',
    risk: 'critical',
    commands: ['cryptsetup', 'lvremove', 'vgremove', 'pvremove', 'lvreduce', 'zpool', 'zfs', 'btrfs', 'mdadm', 'dmsetup'],
    message: 'destroys a volume, pool or array (an encryption header, LVM, ZFS, btrfs, RAID, device-mapper)',
    why: 'the data on the volume becomes unreachable',
    match: (i) => {
      const f = i.fact;
      const a = f.argv.slice(1);
      const ops = opts(f).operands;
      switch (f.name) {
        case 'cryptsetup':
          return subIn(f, /^(luksFormat|erase|luksErase|luksKillSlot|reencrypt|luksRemoveKey)$/, 2);
        case 'zpool':
          return subIn(f, /^(destroy|labelclear|remove|detach|offline|split)$/, 2);
        case 'zfs':
          return subIn(f, /^(destroy|rollback)$/, 2);
        case 'btrfs':
          return (/^(subvolume|sub|su)$/.test(ops[0] ?? '') && /^(delete|del|de)$/.test(ops[1] ?? '')) || (/^(device|dev)$/.test(ops[0] ?? '') && /^(delete|remove)$/.test(ops[1] ?? '')) || (ops[0] === 'check' && a.includes('--repair')) ? ops.slice(0, 3).join(' ') : false;
        case 'mdadm':
          return a.some((x) => /^--(zero-superblock|stop|fail|remove|create|grow)$/.test(x) || /^-[a-zA-Z]*[SCfr]$/.test(x)) ? a.join(' ') : false;
        case 'dmsetup':
          return subIn(f, /^(remove|remove_all|wipe_table|clear|load|reload)$/);
        default:
          return ops[0] ?? true;
      }
    },
    examples: {
      match: ['cryptsetup luksFormat /dev/sda', 'cryptsetup erase /dev/sdb2', 'lvremove -f vg/lv', 'vgremove vg0', 'zpool destroy tank', 'zfs destroy -r tank/home', 'btrfs subvolume delete /', 'mdadm --zero-superblock /dev/sdb', 'dmsetup remove_all'],
      noMatch: ['cryptsetup open /dev/sda x', 'zpool status', 'zfs list', 'btrfs subvolume list /', 'mdadm --detail /dev/md0', 'dmsetup ls', 'lvs'],
    },
  },
  {
    id: 'disk.repair',
    group: 'disk',
    risk: 'high',
    commands: ['fsck', 'e2fsck', 'xfs_repair', 'fsck.ext4', 'fsck.ext3', 'fsck.ext2', 'fsck.xfs', 'fsck.vfat', 'fsck.btrfs', 'tune2fs'],
    message: 'repairs or retunes a filesystem in place (fsck -y, xfs_repair, tune2fs)',
    why: 'a repair on a mounted or wrong filesystem corrupts it; answers are given for you',
    match: (i) => {
      const f = i.fact;
      const a = f.argv.slice(1);
      if (f.name === 'tune2fs') return a.some((x) => /^-[a-zA-Z]*[OUIfj]/.test(x)) ? a.join(' ') : false;
      // Read-only checks (-n) are fine.
      if (hasShort(f, 'n')) return false;
      return f.name === 'xfs_repair' || a.some((x) => /^-[a-zA-Z]*[ypa]/.test(x)) ? (devArgs(f.argv) ?? opts(f).operands[0] ?? true) : false;
    },
    examples: { match: ['e2fsck -fy /dev/sda1', 'fsck -y /dev/sda1', 'xfs_repair /dev/sdb1', 'tune2fs -O ^has_journal /dev/sda1'], noMatch: ['fsck -n /dev/sda1', 'e2fsck -n /dev/sda1', 'tune2fs -l /dev/sda1', 'xfs_repair -n /dev/sdb1'] },
  },
];
