/**
 * Loads every notebook's exercises so that they register themselves (see registry.ts,
 * "How to add an exercise"). One import line per notebook, in course order: add yours.
 * @module
 */
import "./00-welcome.js";
import "./01-synchronous.js";
import "./02-generators.js";
