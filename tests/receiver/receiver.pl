#!/usr/bin/perl
# receiver.pl DIR - the HTTP receiver of the alert tests, on 127.0.0.1.
#
# Listens on an ephemeral port and writes it to DIR/port.  Each request
# is recorded as DIR/NNNN.head (request line and headers) and
# DIR/NNNN.body, and a line "NNNN SECONDS METHOD PATH STATUS" is appended
# to DIR/log (SECONDS since the epoch, with microseconds).
#
# What to answer: the first unused line of DIR/plan, else the first line
# of DIR/mode, else 200.  A line is one of
#	200 | 202 | 400 BODY | 500 ...	that status (and body)
#	429 N				429 with "Retry-After: N"
#	429 date N			429 with Retry-After the HTTP-date N s on
#	hang				never answer (the connection is kept)
#	delay SECONDS STATUS		answer STATUS after SECONDS
# Only core Perl modules: IO::Socket::INET, Time::HiRes, POSIX.
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use POSIX qw(strftime);

my $dir = shift or die "usage: receiver.pl DIR\n";
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 64, ReuseAddr => 1, Proto => 'tcp') or die "listen: $!\n";
$SIG{TERM} = sub { exit 0 };
$SIG{PIPE} = "IGNORE";
open(my $pf, '>', "$dir/port.tmp") or die; print $pf $srv->sockport, "\n";
close $pf; rename "$dir/port.tmp", "$dir/port";

my ($n, $used, @hung) = (0, 0);

sub first_line {
	my ($f, $skip) = @_;
	open(my $fh, '<', $f) or return undef;
	my @l = grep { /\S/ } <$fh>;
	close $fh;
	return undef if $skip > $#l;
	chomp(my $x = $l[$skip]);
	return $x;
}

sub answer {
	my $how = first_line("$dir/plan", $used);
	if (defined $how) { $used++ } else { $how = first_line("$dir/mode", 0) // '200' }
	return $how;
}

while (my $c = $srv->accept) {
	$c->autoflush(1);
	my $t = time;
	my ($head, $buf) = ('', '');
	while ($buf !~ /\r\n\r\n/) {
		my $r = sysread($c, $buf, 65536, length $buf);
		last unless $r;
	}
	my $i = index($buf, "\r\n\r\n");
	if ($i < 0) { close $c; next }
	$head = substr($buf, 0, $i);
	my $body = substr($buf, $i + 4);
	my ($len) = $head =~ /^content-length:\s*(\d+)/mi;
	$len //= 0;
	while (length $body < $len) {
		my $r = sysread($c, $body, $len - length $body, length $body);
		last unless $r;
	}
	my ($method, $path) = $head =~ /^(\S+) (\S+)/;
	$n++;
	my $id = sprintf '%04d', $n;
	open(my $h, '>', "$dir/$id.head"); print $h $head, "\n"; close $h;
	open(my $b, '>', "$dir/$id.body"); print $b $body; close $b;
	my $how = answer();
	open(my $l, '>>', "$dir/log");
	printf $l "%s %.6f %s %s %s\n", $id, $t, $method // '?', $path // '?', $how;
	close $l;
	if ($how eq 'hang') { push @hung, $c; next }
	if ($how =~ /^delay (\S+) (.*)$/) { sleep $1; $how = $2 }
	my ($code, $rest) = $how =~ /^(\d+)\s*(.*)$/;
	$code //= 200;
	my $extra = '';
	my $rbody = $rest // '';
	if ($code == 429 && $rbody =~ /^\d+$/) {
		$extra = "Retry-After: $rbody\r\n";
		$rbody = '';
	} elsif ($code == 429 && $rbody =~ /^date (\d+)$/) {
		$extra = "Retry-After: " . strftime('%a, %d %b %Y %H:%M:%S GMT',
		    gmtime(int(time) + $1)) . "\r\n";
		$rbody = '';
	}
	print $c "HTTP/1.1 $code X\r\nContent-Type: text/plain\r\n$extra" .
	    "Content-Length: " . length($rbody) . "\r\nConnection: close\r\n\r\n$rbody";
	close $c;
}
