import { Reactor } from './reactor';

/**
 * The default reactor of this thread (each worker thread has its own), with the default
 * options, for Twisted-style scripts. Like every Reactor it holds no native resource until
 * first used, so importing it costs nothing. Programs and libraries should prefer creating
 * their own Reactor.
 */
export const reactor: Reactor = new Reactor();
