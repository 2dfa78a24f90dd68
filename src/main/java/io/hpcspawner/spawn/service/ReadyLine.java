package io.hpcspawner.spawn.service;

import io.hpcspawner.credentials.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line the batch script prints once the server listens:
 * {@code HPCSPAWNER_READY host=nid001 port=51234 proof=<64 hex>}. The proof is
 * SHA-256 of {@code <SHA-256 hex of the start secret>:<server id>:<host>:<port>}: the script
 * knows the secret, the service keeps its hash, and anything else that writes into the job's
 * output (the server itself, a program the user runs) cannot make a line the service accepts.
 */
public record ReadyLine(String host, int port, String proof) {

    private static final Pattern LINE = Pattern.compile(
            "^HPCSPAWNER_READY host=([A-Za-z0-9.-]{1,253}) port=(\\d{1,5}) proof=([0-9a-f]{64})\\s*$", Pattern.MULTILINE);

    /** The last ready line in a piece of job output whose proof matches this start, if any. */
    public static Optional<ReadyLine> find(String output, String serverId, String secretHash) {
        Matcher m = LINE.matcher(output == null ? "" : output);
        ReadyLine last = null;
        while (m.find()) {
            int port = Integer.parseInt(m.group(2));
            ReadyLine line = new ReadyLine(m.group(1), port, m.group(3));
            if (port >= 1 && port <= 65535 && line.provenBy(serverId, secretHash)) {
                last = line;
            }
        }
        return Optional.ofNullable(last);
    }

    /** The proof the job computes for this start, host and port. */
    public static String proofFor(String secretHash, String serverId, String host, int port) {
        return Secrets.hash(secretHash + ":" + serverId + ":" + host + ":" + port);
    }

    private boolean provenBy(String serverId, String secretHash) {
        return secretHash != null && MessageDigest.isEqual(proof.getBytes(StandardCharsets.US_ASCII),
                proofFor(secretHash, serverId, host, port).getBytes(StandardCharsets.US_ASCII));
    }
}
