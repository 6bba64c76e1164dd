#!/usr/bin/env perl
# test/tools/jws.pl: signs JWS tokens with throwaway keys, for the tests of other issuers'
# tokens (test/pgtap/50_external_tokens.sql, sql/jws.sql, bench/jwt_verify.sql).
#
#   perl test/tools/jws.pl psql > FILE     fresh keys, then psql \set lines: each key's public
#                                          JWK (jwk_ALG) and the tokens the tests use (tok_*)
#
# The keys are made with the openssl command in a temporary directory and deleted on exit:
# no private key is ever written anywhere else. Tokens are fixed in time (iat 1700000000,
# exp 4102444800 = 2100-01-01) so that a generated file can be committed and read back.
use strict;
use warnings;
use File::Temp qw(tempdir);
use MIME::Base64 qw(encode_base64url decode_base64url);
use Digest::SHA qw(hmac_sha256);
use JSON::PP;

my $dir = tempdir(CLEANUP => 1);
my $json = JSON::PP->new->canonical;
my $n = 0;

sub openssl {
	my ($command, @args) = @_;
	my $out = "$dir/out" . $n++;
	system('openssl', $command, '-out', $out, @args) == 0 or die "openssl $command @args failed\n";
	open my $fh, '<:raw', $out or die "$out: $!";
	local $/;
	return scalar <$fh>;
}

sub write_file {
	my ($content) = @_;
	my $file = "$dir/in" . $n++;
	open my $fh, '>:raw', $file or die "$file: $!";
	print $fh $content;
	close $fh;
	return $file;
}

# A DER length and content at offset; returns (content offset, length).
sub der_len {
	my ($der, $i) = @_;
	my $len = ord substr($der, $i, 1);
	return ($i + 1, $len) if $len < 0x80;
	my $bytes = $len & 0x7f;
	$len = 0;
	$len = $len * 256 + ord substr($der, $i + 1 + $_, 1) for 0 .. $bytes - 1;
	return ($i + 1 + $bytes, $len);
}

# DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs) to JWS R || S, each $size bytes.
sub ecdsa_raw {
	my ($der, $size) = @_;
	my ($i) = der_len($der, 1);
	my $raw = '';
	for (1 .. 2) {
		my ($start, $len) = der_len($der, $i + 1);
		my $int = substr($der, $start, $len);
		$int =~ s/^\x00+//;
		$raw .= ("\x00" x ($size - length $int)) . $int;
		$i = $start + $len;
	}
	return $raw;
}

# key name => [openssl genpkey options, JWK maker, signer]
my %keys;

sub genkey {
	my ($name, @opts) = @_;
	my $pem = "$dir/$name.pem";
	system('openssl', 'genpkey', '-quiet', @opts, '-out', $pem) == 0 or die "genpkey $name failed\n";
	return $pem;
}

# The public key's SubjectPublicKeyInfo: its BIT STRING is the last bytes.
sub spki_tail {
	my ($pem, $len) = @_;
	my $der = openssl('pkey', '-in', $pem, '-pubout', '-outform', 'DER');
	return substr($der, -$len);
}

sub rsa_jwk {
	my ($pem) = @_;
	my $text = `openssl pkey -in '$pem' -pubout -noout -text_pub`;
	my ($mod) = $text =~ /Modulus:\s*\n((?:\s+[0-9a-f:]+\n)+)/ or die "no modulus\n";
	$mod =~ s/[\s:]//g;
	$mod =~ s/^(00)+//;
	my ($e) = $text =~ /Exponent: (\d+)/ or die "no exponent\n";
	my $ehex = sprintf('%x', $e);
	$ehex = "0$ehex" if length($ehex) % 2;
	return { kty => 'RSA', n => encode_base64url(pack('H*', $mod)), e => encode_base64url(pack('H*', $ehex)) };
}

my %key = (
	EdDSA => { pem => genkey('ed', '-algorithm', 'ed25519') },
	ES256 => { pem => genkey('p256', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256') },
	ES512 => { pem => genkey('p521', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521') },
	RS256 => { pem => genkey('rsa', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048') },
	RS1024 => { pem => genkey('rsa1024', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024') },
	ED2 => { pem => genkey('ed2', '-algorithm', 'ed25519') },
);
$key{PS256}{pem} = $key{RS256}{pem};
for my $k (qw(EdDSA ED2)) {
	$key{$k}{jwk} = { kty => 'OKP', crv => 'Ed25519', x => encode_base64url(spki_tail($key{$k}{pem}, 32)) };
}
for ([ES256 => 'P-256', 32], [ES512 => 'P-521', 66]) {
	my ($k, $crv, $size) = @$_;
	my $point = spki_tail($key{$k}{pem}, 1 + 2 * $size);
	$key{$k}{jwk} = { kty => 'EC', crv => $crv, x => encode_base64url(substr($point, 1, $size)),
		y => encode_base64url(substr($point, 1 + $size, $size)) };
}
$key{$_}{jwk} = rsa_jwk($key{$_}{pem}) for qw(RS256 PS256 RS1024);
for my $k (keys %key) {
	$key{$k}{jwk}{kid} = "kid-" . lc $k;
	$key{$k}{jwk}{alg} = $k =~ /^(?:ED2|EdDSA)$/ ? 'EdDSA' : $k eq 'RS1024' ? 'RS256' : $k;
}
$key{PS256}{jwk}{kid} = 'kid-ps256';

# The signature of $input with key $k under $alg.
sub sign {
	my ($k, $alg, $input) = @_;
	my $in = write_file($input);
	my $pem = $key{$k}{pem};
	return openssl('pkeyutl', '-sign', '-inkey', $pem, '-rawin', '-in', $in) if $alg eq 'EdDSA';
	my ($bits) = $alg =~ /(\d+)$/;
	my @opts = ('dgst', "-sha$bits", '-sign', $pem);
	push @opts, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest' if $alg =~ /^PS/;
	my $sig = openssl(@opts, $in);
	$sig = ecdsa_raw($sig, $bits == 512 ? 66 : 32) if $alg =~ /^ES/;
	return $sig;
}

sub b64json { encode_base64url($json->encode($_[0])) }

my $iss = 'https://app.example';
sub claims {
	my (%over) = @_;
	my %c = (iss => $iss, aud => $iss, sub => 'ba-user-0123456789abcdef0123456', iat => 1700000000,
		exp => 4102444800, email => 'Ann@Example.com', name => 'Ann Example', emailVerified => JSON::PP::true,
		id => 'ba-user-0123456789abcdef0123456', %over);
	delete $c{$_} for grep { !defined $c{$_} } keys %c;
	return \%c;
}

# A token: header {alg, kid}, the claims, signed with key $k.
sub token {
	my ($k, $claims, %opt) = @_;
	my $alg = $opt{alg} // $key{$k}{jwk}{alg};
	my $header = { alg => $alg, exists $opt{kid} ? (defined $opt{kid} ? (kid => $opt{kid}) : ()) : (kid => $key{$k}{jwk}{kid}) };
	my $input = b64json($header) . '.' . b64json($claims);
	return "$input." . encode_base64url($opt{sig} // sign($k, $opt{sign_alg} // $alg, $input));
}

my %out;
$out{"jwk_" . lc $_} = $json->encode($key{$_}{jwk}) for keys %key;
$out{"tok_" . lc $_} = token($_, claims()) for qw(EdDSA ES256 ES512 RS256 PS256);
$out{tok_rs1024} = token('RS1024', claims());
$out{tok_ed2} = token('ED2', claims(sub => 'ba-user-second-00000000000000000', email => 'bob@example.com', name => 'Bob'));
$out{tok_nokid} = token('EdDSA', claims(), kid => undef);
$out{tok_email2} = token('EdDSA', claims(email => 'ann.new@example.com', iat => 1700000100));
$out{tok_noemail} = token('EdDSA', claims(sub => 'ba-user-noemail', email => undef, name => undef, iat => 1700000200));
$out{tok_taken} = token('EdDSA', claims(sub => 'ba-user-taken', email => 'native@example.com', name => 'Native Lookalike'));
$out{tok_aud_array} = token('EdDSA', claims(aud => ['https://other.example', $iss], iat => 1700000300));
$out{tok_aud_wrong} = token('EdDSA', claims(aud => 'https://other.example'));
$out{tok_aud_wrong_array} = token('EdDSA', claims(aud => ['https://other.example']));
$out{tok_expired} = token('EdDSA', claims(exp => 1000000000));
$out{tok_no_exp} = token('EdDSA', claims(exp => undef));
$out{tok_nbf} = token('EdDSA', claims(nbf => 4102444000));
$out{tok_iat_future} = token('EdDSA', claims(iat => 4102444000));
$out{tok_no_sub} = token('EdDSA', claims(sub => undef));
$out{tok_unknown_kid} = token('EdDSA', claims(), kid => 'kid-unknown');
$out{tok_other_iss} = token('EdDSA', claims(iss => 'https://other.example'));
# attacks
my $good = $out{tok_eddsa};
my ($h, $p, $s) = split /\./, $good;
$out{tok_tampered_payload} = join '.', $h, b64json(claims(sub => 'ba-user-someone-else')), $s;
$out{tok_tampered_header} = join '.', b64json({ alg => 'EdDSA', kid => 'kid-eddsa', typ => 'JWT' }), $p, $s;
$out{tok_tampered_signature} = join '.', $h, $p, encode_base64url(pack('C', ord(substr(decode_base64url($s), 0, 1)) ^ 1) . substr(decode_base64url($s), 1));
$out{tok_alg_none} = b64json({ alg => 'none', kid => 'kid-eddsa' }) . ".$p.";
$out{tok_alg_none_sig} = token('EdDSA', claims(), alg => 'none', sig => 'x' x 64);
$out{tok_alg_mismatch} = token('ES256', claims(), alg => 'RS256', sign_alg => 'ES256');
$out{tok_alg_mismatch_ps} = token('RS256', claims(), alg => 'PS256', kid => 'kid-rs256');
# HS256 with the public key as the secret: its raw bytes, its JWK text, its PEM
for ([raw => decode_base64url($key{EdDSA}{jwk}{x})], [jwk => $json->encode($key{EdDSA}{jwk})],
	[pem => scalar openssl('pkey', '-in', $key{EdDSA}{pem}, '-pubout')]) {
	my ($what, $secret) = @$_;
	my $input = b64json({ alg => 'HS256', kid => 'kid-eddsa' }) . '.' . $p;
	$out{"tok_hs_pubkey_$what"} = "$input." . encode_base64url(hmac_sha256($input, $secret));
}
my $rsa_input = b64json({ alg => 'HS256', kid => 'kid-rs256' }) . '.' . $p;
$out{tok_hs_pubkey_rsa} = "$rsa_input." . encode_base64url(hmac_sha256($rsa_input, $json->encode($key{RS256}{jwk})));
# an issuer with a shared secret (the secret is a test value, printed with the tokens)
my $secret = 'test-only-better-auth-secret-0123456789abcdef';
$out{hs_secret} = $secret;
my $hs_iss = 'https://hs.example';
for ([tok_hs256 => $secret, {}], [tok_hs256_wrong => "$secret-wrong", {}],
	[tok_hs256_expired => $secret, { exp => 1000000000 }],
	[tok_hs256_minimal => $secret, { sub => 'hs-user-minimal', email => undef, name => undef, emailVerified => undef, id => undef }]) {
	my ($name, $key, $over) = @$_;
	my $input = b64json({ alg => 'HS256', typ => 'JWT' }) . '.' . b64json(claims(iss => $hs_iss, aud => undef,
		sub => 'hs-user-1', email => 'hs@example.com', %$over));
	$out{$name} = "$input." . encode_base64url(hmac_sha256($input, $key));
}

print "-- generated by perl test/tools/jws.pl psql: public keys and tokens of throwaway test-only keys\n";
print "\\set $_ '$out{$_}'\n" for sort keys %out;
