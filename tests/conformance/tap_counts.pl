#!/usr/bin/perl
# tests/conformance/tap_counts.pl FILE: what perl's TAP::Parser (the parser under prove)
# reads in a TAP file, as one JSON object on stdout. Used by tests/conformance/check_logs.
use strict;
use warnings;
use JSON::PP;
use TAP::Parser;

my $file = shift or die "usage: tap_counts.pl FILE\n";
# The text itself, not the file: given a file, TAP::Parser guesses from its name how to run
# it (a .log would be run as a Perl script); prove --exec cat does the same as this.
open(my $fh, '<:raw', $file) or die "tap_counts.pl: cannot read $file: $!\n";
my $tap = do { local $/; <$fh> };
close($fh);
my $parser = TAP::Parser->new({ tap => $tap });
my $bailout;
while (my $result = $parser->next) {
    $bailout = $result->explanation if $result->is_bailout;
}
my @todo_passed = $parser->todo_passed;
print JSON::PP->new->canonical->encode({
    tests_run     => $parser->tests_run + 0,
    passed        => scalar(my @p = $parser->passed),
    failed        => scalar(my @f = $parser->failed),
    actual_passed => scalar(my @ap = $parser->actual_passed),
    actual_failed => scalar(my @af = $parser->actual_failed),
    todo          => scalar(my @t = $parser->todo),
    todo_passed   => scalar(@todo_passed),
    skipped       => scalar(my @s = $parser->skipped),
    failed_tests  => [ map { $_ + 0 } $parser->failed ],
    plan          => $parser->plan,
    good_plan     => $parser->is_good_plan ? JSON::PP::true : JSON::PP::false,
    parse_errors  => [ $parser->parse_errors ],
    bailout       => $bailout,
    has_problems  => $parser->has_problems ? JSON::PP::true : JSON::PP::false,
}) . "\n";
