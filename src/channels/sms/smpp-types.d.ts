// Minimal typings for the parts of `smpp` 0.5.1 (a CommonJS package without types) that the SMPP
// provider and the sandbox SMSC use. Read against node_modules/smpp/lib/{smpp,pdu,defs}.js.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** What `short_message` decodes to when the PDU has a data_coding (submit_sm, deliver_sm). */
    interface DecodedMessage {
      /** The UDH information elements, each `[iei, length, ...data]`, when esm_class has the UDHI bit. */
      udh?: Buffer[];
      message: string | Buffer;
    }

    /** Parameters and TLVs are plain properties named as in the SMPP specification. */
    interface PDU {
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      system_id?: string;
      password?: string;
      message_id?: string;
      source_addr?: string;
      destination_addr?: string;
      esm_class?: number;
      data_coding?: number | null;
      registered_delivery?: number;
      short_message?: DecodedMessage | Buffer | string;
      message_payload?: DecodedMessage | Buffer | string;
      receipted_message_id?: string;
      message_state?: number;
      /** Our vendor TLV 0x1401 once registered with `addTLV` (see sms/smpp-tlv.ts). */
      conversa_message_id?: string;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
      // Unknown TLVs land under their numeric tag; other parameters by name.
      [param: string]: unknown;
    }

    type ResponseCallback = (pdu: PDU) => void;
    type PduShortcut = (options: Record<string, unknown>, onResponse?: ResponseCallback, onSent?: ResponseCallback) => boolean;

    interface Session extends EventEmitter {
      socket: Socket;
      /** Returns false (and sends nothing) when the socket is no longer writable. */
      send(pdu: PDU, onResponse?: ResponseCallback, onSent?: ResponseCallback): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
      bind_transceiver: PduShortcut;
      submit_sm: PduShortcut;
      deliver_sm: PduShortcut;
      unbind: PduShortcut;
      enquire_link: PduShortcut;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      host: string;
      port: number;
      auto_enquire_link_period?: number;
      tls?: boolean;
    }

    interface TlvType {
      read(buffer: Buffer, offset: number, length: number): unknown;
      write(value: unknown, buffer: Buffer, offset: number): void;
      size(value: unknown): number;
    }
  }

  interface PduConstructor {
    new (command: string, options?: Record<string, unknown>): smpp.PDU;
  }

  const smpp: {
    PDU: PduConstructor;
    connect(options: smpp.ConnectOptions, listener?: () => void): smpp.Session;
    createServer(listener?: (session: smpp.Session) => void): smpp.Server;
    addTLV(name: string, options: { id: number; type: smpp.TlvType }): void;
    tlvs: Record<string, { id: number } | undefined>;
    types: { tlv: { string: smpp.TlvType; cstring: smpp.TlvType; int8: smpp.TlvType; buffer: smpp.TlvType } };
    errors: Record<string, number>;
  };
  export default smpp;
}
