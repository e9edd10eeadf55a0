package io.trustsync.cli;

public class TrustSyncCommand {
  public static void main(String[] args) {
    System.out.println("trustsync");
  }
}
