/**
 * The wire protocol between an mpflow coordinator and its worker processes: length-prefixed binary frames on a
 * private Unix-domain socket, and the messages they carry. It depends on nothing but the JDK, so that any peer can
 * implement it. Frame ids tie replies to requests, so several attempts can be in flight on one channel.
 */
package dev.mpflow.protocol;
