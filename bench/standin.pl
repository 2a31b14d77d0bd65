# A stand-in for `vg serve` that answers every line "host" at once — for bench/shell's row that
# splits what a guarded line costs into the shell's side (vg's hook with this answering) and the
# analyzer's (the rest). Speaks just enough of src/intercept/protocol.ts: the hello (bash, zsh),
# H for bash and zsh, the full R form for fish; every other request is read and ignored.
# `perl standin.pl serve --shell SHELL … [--fifo DIR]`: stdin/stdout (bash's coproc) or DIR/in, DIR/out.
use strict;
use warnings;
my %a;
for (my $i = 0; $i < @ARGV; $i++) { $a{$ARGV[$i]} = $ARGV[$i + 1] if $ARGV[$i] =~ /^--/ }
my $shell = $a{'--shell'} // 'bash';
my ($in, $out) = (\*STDIN, \*STDOUT);
if (my $d = $a{'--fifo'}) {
  # Read-write, as vg serve opens them: neither end ever blocks or sees EOF.
  open($in, '+<', "$d/in") or die "standin: $d/in: $!";
  open($out, '+<', "$d/out") or die "standin: $d/out: $!";
}
select($out);
$| = 1;
print "V\x1fstandin\x1f$$\x1f500\x1fhost\x1ffull\x1fauto\x1f\n" unless $shell eq 'fish';
while (my $l = <$in>) {
  next unless $l =~ /^J\t([^\t]*)\t/;
  print $shell eq 'fish' ? "R\x1f$1\x1fhost\x1flow\x1f\x1f\x1f\n" : "H\x1f$1\n";
}
