// Block devices: formatting, overwriting, wiping, repartitioning.
import type { Rule } from './types.ts';
import { hasLong, hasShort, opts, sub, writeTargets } from './helpers.ts';

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
      if (f.name === 'diskutil') return /^(eraseDisk|eraseVolume|partitionDisk|zeroDisk|randomDisk|secureErase|apfs)$/.test(sub(f)) ? sub(f) : false;
      if (!dev) return false;
      if (f.name === 'fdisk' || f.name === 'gdisk' || f.name === 'cfdisk') return hasShort(f, 'l') || hasLong(f, '--list') ? false : dev;
      if (f.name === 'sfdisk') return hasShort(f, 'l', 'd', 'V') || hasLong(f, '--list', '--dump', '--verify', '--json') ? false : dev;
      if (f.name === 'sgdisk') return hasShort(f, 'Z', 'z', 'o', 'n', 'd', 'N', 'g', 'G', 't', 'c') || hasLong(f, '--zap-all', '--zap', '--clear', '--new', '--delete', '--largest-new') ? dev : false;
      if (f.name === 'parted') return o.operands.some((a) => /^(mklabel|mkpart|rm|resizepart|mkfs|rescue|name|set|toggle|disk_set)$/.test(a)) ? dev : false;
      return false;
    },
    examples: { match: ['sgdisk --zap-all /dev/sda', 'parted /dev/sdb mklabel gpt', 'sfdisk /dev/sda < layout', 'fdisk /dev/sdb'], noMatch: ['fdisk -l', 'parted /dev/sda print', 'sfdisk -l /dev/sda'] },
  },
];
