#!/usr/bin/perl
# Reads one JSON string (a header value) per line, parses it with Mail::AuthenticationResults
# and prints what it found as one JSON object per line: authserv_id and, per resinfo,
# method, result, reason and properties. Comments are ignored, as RFC 8601 says they may be.
use strict;
use warnings;
use JSON::PP;
use Mail::AuthenticationResults::Parser;

my $json = JSON::PP->new->canonical;
while (my $line = <STDIN>) {
  chomp $line;
  next if $line eq '';
  my $header = $json->decode($line);
  my $parsed = eval { Mail::AuthenticationResults::Parser->new()->parse($header) };
  if (!$parsed) { print $json->encode({ error => "$@" }), "\n"; next; }
  my @results;
  for my $entry (@{ $parsed->children() }) {
    next unless ref($entry) eq 'Mail::AuthenticationResults::Header::Entry';
    my %properties;
    my $reason = '';
    for my $sub (@{ $entry->children() }) {
      next unless ref($sub) eq 'Mail::AuthenticationResults::Header::SubEntry';
      if ($sub->key() eq 'reason') { $reason = $sub->value(); next; }
      $properties{ $sub->key() } = $sub->value();
    }
    push @results, { method => $entry->key(), result => $entry->value(), reason => $reason,
                     properties => \%properties };
  }
  print $json->encode({ authserv_id => $parsed->value()->value(), results => \@results }), "\n";
}
