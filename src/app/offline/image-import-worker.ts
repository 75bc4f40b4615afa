/** The image import's worker entry: decoding thousands of pictures never blocks the page. */
import * as Comlink from 'comlink';
import { prepareImport, type ImageImportApi } from './image-import-host';

const api: ImageImportApi = { prepare: prepareImport };
Comlink.expose(api);
