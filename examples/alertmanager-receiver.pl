#!/usr/bin/perl
# alertmanager-receiver.pl [PORT] - a minimal receiver of the JSON that
# Alertmanager (and alert --webhook) posts: version 4, status, alerts[].
# Prints one line per alert and answers 200; anything that is not the
# expected shape gets 400, which alert(1) reports once and does not retry.
#
#	perl examples/alertmanager-receiver.pl 9095 &
#	alert --webhook http://127.0.0.1:9095/alerts < alerts.jsonl
#
# Core Perl only (IO::Socket::INET; JSON::PP ships with Perl 5.14+).
use strict;
use warnings;
use IO::Socket::INET;
use JSON::PP;

my $port = shift // 9095;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
    Listen => 16, ReuseAddr => 1) or die "listen: $!\n";
$SIG{PIPE} = "IGNORE";
$| = 1;
while (my $c = $srv->accept) {
	my $buf = '';
	$buf .= $_ while defined($_ = <$c>) && $_ ne "\r\n";
	my ($len) = $buf =~ /^content-length:\s*(\d+)/mi;
	my $body = '';
	read($c, $body, $len // 0);
	my $msg = eval { decode_json($body) };
	my ($code, $text) = (200, "ok\n");
	if (!$msg || ($msg->{version} // '') ne '4' || ref $msg->{alerts} ne 'ARRAY') {
		($code, $text) = (400, "not an Alertmanager v4 message\n");
	} else {
		for my $a (@{$msg->{alerts}}) {
			printf "%s %s %s: %s\n", $a->{status}, $a->{labels}{severity},
			    $a->{labels}{key} // '?', $a->{annotations}{summary} // '';
		}
	}
	print $c "HTTP/1.1 $code X\r\nContent-Length: " . length($text) .
	    "\r\nConnection: close\r\n\r\n$text";
	close $c;
}
